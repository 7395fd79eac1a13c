import type { BimModel, ModelProgress } from '../../models/BimModel.js';
import type { Tool } from '../core/Tool.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import { h } from '../ui/dom.js';
import { t, tOr } from '../i18n/i18n.js';

type Converting = Pick<ModelProgress, 'modelId' | 'projectId' | 'status' | 'stage' | 'progressPct'> & {
  fileName?: string;
};

/**
 * The models being converted right now, one line each ("Converting tower.ifc · 浮山湾样板楼: geometry 40%"), from the
 * live `model.updated` / `model.progress` messages; a line goes when its model is ready, failed or deleted.
 */
export class ConversionStatus implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly converting = new Map<string, Converting>();

  constructor(
    container: HTMLElement,
    private readonly store: ProjectStore,
  ) {
    this.root = h('div', { class: 'bim-conversion', 'data-testid': 'bim-conversion', role: 'status', hidden: true });
    container.append(this.root);
  }

  model(m: BimModel): void {
    if (m.status === 'queued' || m.status === 'converting')
      this.converting.set(m.id, {
        modelId: m.id,
        projectId: m.projectId,
        status: m.status,
        stage: m.stage,
        progressPct: m.progressPct,
        fileName: m.fileName,
      });
    else this.converting.delete(m.id);
    this.render();
  }

  progress(p: ModelProgress): void {
    if (p.status !== 'queued' && p.status !== 'converting') this.converting.delete(p.modelId);
    // A progress message carries no file name: keep the one the upload's `model.updated` told.
    else this.converting.set(p.modelId, { ...p, fileName: this.converting.get(p.modelId)?.fileName });
    this.render();
  }

  deleted(modelId: string): void {
    this.converting.delete(modelId);
    this.render();
  }

  private render(): void {
    this.root.hidden = !this.enabled || this.converting.size === 0;
    this.root.replaceChildren(
      ...[...this.converting.values()].map((c) => {
        const project = this.store.get(c.projectId)?.name ?? t('bim.itsProject');
        const what =
          c.status === 'queued'
            ? t('bim.stage.queued')
            : t('bim.stageProgress', { stage: tOr(`bim.stage.${c.stage}`, c.stage), pct: Math.round(c.progressPct) });
        return h('div', {
          class: 'conversion-row',
          'data-model-id': c.modelId,
          text: t('bim.converting', { file: c.fileName ?? t('bim.aModel'), project, what }),
        });
      }),
    );
  }

  dispose(): void {
    this.root.remove();
  }
}
