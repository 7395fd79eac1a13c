import type { IfcWriter, Ref } from './ifcWriter.js';

/**
 * The storeys of the demo building: per storey a floor slab, columns on the bay grid (none inside the core),
 * perimeter walls one per bay with a window panel each, and four core walls (lift/stair shaft). Frame: origin at
 * the building centre on the ground floor, +X along the width, +Y along the depth, metres.
 *
 * GlobalId keys (for demoGlobalId): `storey/<s>`, `slab/<s>`, `column/<s>/<i>/<j>`, `wall/<s>/<S|E|N|W>/<i>`,
 * `window/<s>/<S|E|N|W>/<i>`, `core/<s>/<0..3>`; storeys count from 0.
 */
export interface DemoLayout {
  storeys: number;
  widthM: number;
  depthM: number;
  storeyHeightM: number;
  baysX: number;
  baysY: number;
  seed: string;
}

export interface StoreyContext {
  building: Ref;
  buildingPlacement: Ref;
  body: Ref;
  guid: (key: string) => unknown;
}

const SLAB_T = 0.25;
const COLUMN = 0.5;
const WALL_T = 0.3;
const WINDOW_T = 0.08;
const SILL = 0.9;

/** The core's footprint: a lift and stair shaft in the middle, at most a third of each side. */
export function coreSize(l: Pick<DemoLayout, 'widthM' | 'depthM'>): { w: number; d: number } {
  return { w: Math.min(8, l.widthM / 3), d: Math.min(6, l.depthM / 3) };
}

/** Columns of one storey: grid nodes outside the core. */
export function columnNodes(l: DemoLayout): Array<[i: number, j: number, x: number, y: number]> {
  const core = coreSize(l);
  const out: Array<[number, number, number, number]> = [];
  for (let i = 0; i <= l.baysX; i++) {
    for (let j = 0; j <= l.baysY; j++) {
      const x = -l.widthM / 2 + (i * l.widthM) / l.baysX;
      const y = -l.depthM / 2 + (j * l.depthM) / l.baysY;
      if (Math.abs(x) < core.w / 2 && Math.abs(y) < core.d / 2) continue;
      out.push([i, j, x, y]);
    }
  }
  return out;
}

type Side = 'S' | 'E' | 'N' | 'W';

/** Writes every storey and its contents; returns element counts by class. */
export function writeStoreys(
  w: IfcWriter,
  l: DemoLayout,
  ctx: StoreyContext,
): Record<'IfcSlab' | 'IfcColumn' | 'IfcWall' | 'IfcWindow', number> {
  const { I } = w;
  const g = ctx.guid;
  const clear = l.storeyHeightM - SLAB_T;
  const bayX = l.widthM / l.baysX;
  const bayY = l.depthM / l.baysY;
  const core = coreSize(l);

  // Shapes shared by every storey: identical elements point at one IfcProductDefinitionShape (web-ifc and
  // Fragments instance them), which also keeps a 100k-element file near 1 KB per element.
  const slabShape = w.extrudedBox(ctx.body, l.widthM, l.depthM, SLAB_T, 0, 0, -SLAB_T);
  const columnShape = w.extrudedBox(ctx.body, COLUMN, COLUMN, clear);
  const wallLen: Record<Side, number> = { S: bayX - COLUMN, N: bayX - COLUMN, E: bayY - COLUMN, W: bayY - COLUMN };
  const wallShape = {
    x: w.extrudedBox(ctx.body, wallLen.S, WALL_T, clear),
    y: w.extrudedBox(ctx.body, wallLen.E, WALL_T, clear),
  };
  // Window panels sit on the outer face of their wall (local -Y is outward for every side), so they show.
  const winH = Math.min(1.5, clear - SILL - 0.2);
  const windowShape = {
    x: w.extrudedBox(ctx.body, wallLen.S * 0.6, WINDOW_T, winH, 0, -WALL_T / 2, SILL),
    y: w.extrudedBox(ctx.body, wallLen.E * 0.6, WINDOW_T, winH, 0, -WALL_T / 2, SILL),
  };
  const coreShape = {
    x: w.extrudedBox(ctx.body, core.w, WALL_T, clear),
    y: w.extrudedBox(ctx.body, core.d, WALL_T, clear),
  };

  // Property sets are shared by kind (one IfcPropertySet, related to each storey's elements of that kind).
  const pset = (key: string, name: string, props: Array<[string, unknown]>) =>
    w.write(
      new I.IfcPropertySet(
        g(key),
        null,
        w.label(name),
        null,
        props.map(([n, v]) => w.write(new I.IfcPropertySingleValue(w.id(n), null, v, null))),
      ),
    );
  const psets = {
    wallExt: pset('pset/wall-ext', 'Pset_WallCommon', [
      ['IsExternal', w.bool(true)],
      ['LoadBearing', w.bool(false)],
      ['FireRating', w.label('EI 60')],
    ]),
    wallCore: pset('pset/wall-core', 'Pset_WallCommon', [
      ['IsExternal', w.bool(false)],
      ['LoadBearing', w.bool(true)],
      ['FireRating', w.label('REI 120')],
    ]),
    column: pset('pset/column', 'Pset_ColumnCommon', [
      ['LoadBearing', w.bool(true)],
      ['FireRating', w.label('R 120')],
    ]),
    slab: pset('pset/slab', 'Pset_SlabCommon', [
      ['LoadBearing', w.bool(true)],
      ['IsExternal', w.bool(false)],
    ]),
    window: pset('pset/window', 'Pset_WindowCommon', [
      ['IsExternal', w.bool(true)],
      ['ThermalTransmittance', new I.IfcThermalTransmittanceMeasure(1.8)],
    ]),
  };

  // Quantities differ per element in real files; written per element so the file grows like a real one.
  const qto = (key: string, name: string, target: Ref, len: number, width: number, height: number) => {
    const q = w.write(
      new I.IfcElementQuantity(g(`qto/${key}`), null, w.label(name), null, null, [
        w.write(new I.IfcQuantityLength(w.label('Length'), null, null, w.len(len), null)),
        w.write(new I.IfcQuantityLength(w.label('Width'), null, null, w.len(width), null)),
        w.write(new I.IfcQuantityLength(w.label('Height'), null, null, w.len(height), null)),
        w.write(
          new I.IfcQuantityVolume(
            w.label('NetVolume'),
            null,
            null,
            new I.IfcVolumeMeasure(round3(len * width * height)),
            null,
          ),
        ),
      ]),
    );
    w.write(new I.IfcRelDefinesByProperties(g(`rel/qto/${key}`), null, null, null, [target], q));
  };

  const counts = { IfcSlab: 0, IfcColumn: 0, IfcWall: 0, IfcWindow: 0 };
  const storeys: Ref[] = [];
  const nodes = columnNodes(l);
  const sides: Array<{ side: Side; n: number; at: (i: number) => [number, number]; angle: number }> = [
    { side: 'S', n: l.baysX, at: (i) => [-l.widthM / 2 + (i + 0.5) * bayX, -l.depthM / 2], angle: 0 },
    { side: 'E', n: l.baysY, at: (i) => [l.widthM / 2, -l.depthM / 2 + (i + 0.5) * bayY], angle: Math.PI / 2 },
    { side: 'N', n: l.baysX, at: (i) => [l.widthM / 2 - (i + 0.5) * bayX, l.depthM / 2], angle: Math.PI },
    { side: 'W', n: l.baysY, at: (i) => [-l.widthM / 2, l.depthM / 2 - (i + 0.5) * bayY], angle: -Math.PI / 2 },
  ];
  const coreWalls: Array<[number, number, number, 'x' | 'y']> = [
    [0, -core.d / 2, 0, 'x'],
    [core.w / 2, 0, Math.PI / 2, 'y'],
    [0, core.d / 2, Math.PI, 'x'],
    [-core.w / 2, 0, -Math.PI / 2, 'y'],
  ];

  for (let s = 0; s < l.storeys; s++) {
    const z = s * l.storeyHeightM;
    const sp = w.placement(ctx.buildingPlacement, 0, 0, z);
    const storey = w.write(
      new I.IfcBuildingStorey(
        g(`storey/${s}`),
        null,
        w.label(`Level ${s === 0 ? 'G' : s}`),
        null,
        null,
        sp,
        null,
        null,
        I.IfcElementCompositionEnum.ELEMENT,
        w.len(z),
      ),
    );
    storeys.push(storey);
    const contained: Ref[] = [];
    const byKind: Record<keyof typeof psets, Ref[]> = { wallExt: [], wallCore: [], column: [], slab: [], window: [] };

    const slab = w.write(
      new I.IfcSlab(
        g(`slab/${s}`),
        null,
        w.label(`Floor slab ${s}`),
        null,
        null,
        w.placement(sp),
        slabShape,
        null,
        I.IfcSlabTypeEnum.FLOOR,
      ),
    );
    qto(`slab/${s}`, 'Qto_SlabBaseQuantities', slab, l.widthM, l.depthM, SLAB_T);
    byKind.slab.push(slab);
    counts.IfcSlab++;

    for (const [i, j, x, y] of nodes) {
      const c = w.write(
        new I.IfcColumn(
          g(`column/${s}/${i}/${j}`),
          null,
          w.label(`Column ${String.fromCharCode(65 + (i % 26))}${j + 1} L${s}`),
          null,
          null,
          w.placement(sp, x, y, 0),
          columnShape,
          null,
          I.IfcColumnTypeEnum.COLUMN,
        ),
      );
      qto(`column/${s}/${i}/${j}`, 'Qto_ColumnBaseQuantities', c, COLUMN, COLUMN, clear);
      byKind.column.push(c);
      counts.IfcColumn++;
    }

    for (const { side, n, at, angle } of sides) {
      const axis = side === 'S' || side === 'N' ? 'x' : 'y';
      for (let i = 0; i < n; i++) {
        const [x, y] = at(i);
        const p = w.placement(sp, x, y, 0, angle);
        const wall = w.write(
          new I.IfcWall(
            g(`wall/${s}/${side}/${i}`),
            null,
            w.label(`Facade wall ${side}${i + 1} L${s}`),
            null,
            null,
            p,
            wallShape[axis],
            null,
            I.IfcWallTypeEnum.STANDARD,
          ),
        );
        qto(`wall/${s}/${side}/${i}`, 'Qto_WallBaseQuantities', wall, wallLen[side], WALL_T, clear);
        const winW = wallLen[side] * 0.6;
        const win = w.write(
          new I.IfcWindow(
            g(`window/${s}/${side}/${i}`),
            null,
            w.label(`Window ${side}${i + 1} L${s}`),
            null,
            null,
            w.placement(sp, x, y, 0, angle),
            windowShape[axis],
            null,
            w.pos(winH),
            w.pos(winW),
            I.IfcWindowTypeEnum.WINDOW,
            I.IfcWindowTypePartitioningEnum.SINGLE_PANEL,
            null,
          ),
        );
        qto(`window/${s}/${side}/${i}`, 'Qto_WindowBaseQuantities', win, winW, WINDOW_T, winH);
        byKind.wallExt.push(wall);
        byKind.window.push(win);
        counts.IfcWall++;
        counts.IfcWindow++;
      }
    }

    coreWalls.forEach(([x, y, angle, axis], k) => {
      const wall = w.write(
        new I.IfcWall(
          g(`core/${s}/${k}`),
          null,
          w.label(`Core wall ${k + 1} L${s}`),
          null,
          null,
          w.placement(sp, x, y, 0, angle),
          coreShape[axis],
          null,
          I.IfcWallTypeEnum.SHEAR,
        ),
      );
      qto(`core/${s}/${k}`, 'Qto_WallBaseQuantities', wall, axis === 'x' ? core.w : core.d, WALL_T, clear);
      byKind.wallCore.push(wall);
      counts.IfcWall++;
    });

    for (const [kind, refs] of Object.entries(byKind) as Array<[keyof typeof psets, Ref[]]>) {
      if (refs.length === 0) continue;
      contained.push(...refs);
      w.write(new I.IfcRelDefinesByProperties(g(`rel/pset/${kind}/${s}`), null, null, null, refs, psets[kind]));
    }
    w.write(new I.IfcRelContainedInSpatialStructure(g(`rel/contained/${s}`), null, null, null, contained, storey));
  }
  w.write(new I.IfcRelAggregates(g('rel/building-storeys'), null, null, null, ctx.building, storeys));
  return counts;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
