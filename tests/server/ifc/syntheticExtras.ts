import { syntheticIfc } from './syntheticIfc.js';

/**
 * syntheticIfc's walls plus the products real files carry beside drawn elements, for the element-index tests: an
 * IfcElementAssembly with a property set whose two plates are aggregated into it (no geometry of their own), an
 * IfcSpace under the storey, an IfcOpeningElement voiding the first wall, an IfcCovering and an IfcGrid contained in
 * the storey, an IfcAnnotation contained nowhere, and an IfcWindow whose IfcWindowLiningProperties /
 * IfcWindowPanelProperties hold values. Every GlobalId the extras add is listed in `extras`.
 */
export function syntheticWithExtras(opts: { walls: number; schema?: string } = { walls: 3 }): {
  text: string;
  extras: Record<string, string>;
} {
  const base = syntheticIfc(opts);
  const storey = Number(/#(\d+)=IFCBUILDINGSTOREY\(/.exec(base)![1]);
  const storeyPlacement = Number(/#\d+=IFCBUILDINGSTOREY\('[^']*',\$,'[^']*',\$,\$,#(\d+)/.exec(base)![1]);
  const firstWall = Number(/#(\d+)=IFCWALL\(/.exec(base)![1]);
  const lines: string[] = [];
  let n = 5000;
  const add = (text: string) => {
    lines.push(`#${++n}=${text};`);
    return n;
  };
  const g = (k: string) => `3Extra${k.padEnd(16, '_')}`.slice(0, 22);
  const extras: Record<string, string> = {
    assembly: g('Assembly'),
    plateA: g('PlateA'),
    plateB: g('PlateB'),
    space: g('Space'),
    opening: g('Opening'),
    covering: g('Covering'),
    grid: g('Grid'),
    annotation: g('Annotation'),
    window: g('Window'),
  };
  const pl = add(`IFCLOCALPLACEMENT(#${storeyPlacement},$)`);
  const asm = add(`IFCELEMENTASSEMBLY('${extras.assembly}',$,'Truss A1',$,$,#${pl},$,'A1',.FACTORY.,.TRUSS.)`);
  const plateA = add(`IFCPLATE('${extras.plateA}',$,'Plate 1',$,$,#${pl},$,$,.SHEET.)`);
  const plateB = add(`IFCPLATE('${extras.plateB}',$,'Plate 2',$,$,#${pl},$,$,.SHEET.)`);
  add(`IFCRELAGGREGATES('${g('RelAsm')}',$,$,$,#${asm},(#${plateA},#${plateB}))`);
  const mark = add(`IFCPROPERTYSINGLEVALUE('AssemblyMark',$,IFCLABEL('A1-01'),$)`);
  const weight = add(`IFCPROPERTYSINGLEVALUE('Weight',$,IFCMASSMEASURE(412.5),$)`);
  const checked = add(`IFCPROPERTYSINGLEVALUE('Checked',$,IFCLOGICAL(.U.),$)`);
  const ps = add(`IFCPROPERTYSET('${g('PsetTekla')}',$,'Tekla Assembly',$,(#${mark},#${weight},#${checked}))`);
  add(`IFCRELDEFINESBYPROPERTIES('${g('RelPsAsm')}',$,$,$,(#${asm}),#${ps})`);
  const space = add(`IFCSPACE('${extras.space}',$,'Room 1','Office',$,#${pl},$,'Office 1',.ELEMENT.,.INTERNAL.,$)`);
  add(`IFCRELAGGREGATES('${g('RelSpace')}',$,$,$,#${storey},(#${space}))`);
  const area = add(`IFCQUANTITYAREA('NetFloorArea',$,$,24.5,$)`);
  const q = add(`IFCELEMENTQUANTITY('${g('QtoSpace')}',$,'Qto_SpaceBaseQuantities',$,$,(#${area}))`);
  add(`IFCRELDEFINESBYPROPERTIES('${g('RelQSpace')}',$,$,$,(#${space}),#${q})`);
  const opening = add(`IFCOPENINGELEMENT('${extras.opening}',$,'Opening',$,$,#${pl},$,$,.OPENING.)`);
  add(`IFCRELVOIDSELEMENT('${g('RelVoids')}',$,$,$,#${firstWall},#${opening})`);
  const covering = add(`IFCCOVERING('${extras.covering}',$,'Ceiling',$,$,#${pl},$,$,.CEILING.)`);
  const grid = add(`IFCGRID('${extras.grid}',$,'Grid',$,$,#${pl},$,$,$,$,$)`);
  add(`IFCANNOTATION('${extras.annotation}',$,'Note',$,$,#${pl},$)`);
  const win = add(`IFCWINDOW('${extras.window}',$,'Window 1',$,$,#${pl},$,$,1.2,0.9,.WINDOW.,.SINGLE_PANEL.,$)`);
  const lining = add(`IFCWINDOWLININGPROPERTIES('${g('WinLining')}',$,$,$,0.12,0.05,$,$,$,$,$,$,$,$,$,$)`);
  const panel = add(`IFCWINDOWPANELPROPERTIES('${g('WinPanel')}',$,$,$,.SIDEHUNGLEFTHAND.,.MIDDLE.,0.06,0.04,$)`);
  add(`IFCRELDEFINESBYPROPERTIES('${g('RelLining')}',$,$,$,(#${win}),#${lining})`);
  add(`IFCRELDEFINESBYPROPERTIES('${g('RelPanel')}',$,$,$,(#${win}),#${panel})`);
  add(`IFCRELCONTAINEDINSPATIALSTRUCTURE('${g('RelCont2')}',$,$,$,(#${asm},#${covering},#${grid},#${win}),#${storey})`);
  const at = base.lastIndexOf('ENDSEC;');
  return { text: base.slice(0, at) + lines.join('\n') + '\n' + base.slice(at), extras };
}
