/**
 * Small hand-written IFC4 files for the tests: a storey with `walls` extruded walls, of which the ones listed in
 * `broken` carry a geometry web-ifc cannot build (a profile that references a missing entity, or a zero-depth
 * extrusion). Real STEP text, parsed by the real web-ifc.
 */
export function syntheticIfc(opts: {
  walls: number;
  broken?: { index: number; kind: 'missing_ref' | 'zero_depth' | 'empty_polyline' }[];
  schema?: string;
}): string {
  const lines: string[] = [];
  let n = 100;
  const id = () => ++n;
  const guid = (i: number) => {
    const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$';
    let s = '';
    let v = i * 7919 + 12345;
    for (let k = 0; k < 22; k++) {
      s += chars[(v + k * 31) % 64];
      v = Math.floor(v / 3) + k;
    }
    return s;
  };
  const add = (text: string) => {
    const i = id();
    lines.push(`#${i}=${text};`);
    return i;
  };
  const origin = add('IFCCARTESIANPOINT((0.,0.,0.))');
  const zDir = add('IFCDIRECTION((0.,0.,1.))');
  const xDir = add('IFCDIRECTION((1.,0.,0.))');
  const axis = add(`IFCAXIS2PLACEMENT3D(#${origin},#${zDir},#${xDir})`);
  const ctx = add(`IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.E-05,#${axis},$)`);
  const unit = add('IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.)');
  const units = add(`IFCUNITASSIGNMENT((#${unit}))`);
  const project = add(`IFCPROJECT('${guid(1)}',$,'Test project',$,$,$,$,(#${ctx}),#${units})`);
  const sitePl = add(`IFCLOCALPLACEMENT($,#${axis})`);
  const site = add(`IFCSITE('${guid(2)}',$,'Site',$,$,#${sitePl},$,$,.ELEMENT.,(36,4,12,0),(120,24,0,0),12.,$,$)`);
  const bldPl = add(`IFCLOCALPLACEMENT(#${sitePl},#${axis})`);
  const building = add(`IFCBUILDING('${guid(3)}',$,'Building',$,$,#${bldPl},$,$,.ELEMENT.,$,$,$)`);
  const stPl = add(`IFCLOCALPLACEMENT(#${bldPl},#${axis})`);
  const storey = add(`IFCBUILDINGSTOREY('${guid(4)}',$,'Level 1',$,$,#${stPl},$,$,.ELEMENT.,0.)`);
  add(`IFCRELAGGREGATES('${guid(5)}',$,$,$,#${project},(#${site}))`);
  add(`IFCRELAGGREGATES('${guid(6)}',$,$,$,#${site},(#${building}))`);
  add(`IFCRELAGGREGATES('${guid(7)}',$,$,$,#${building},(#${storey}))`);
  const walls: number[] = [];
  for (let w = 0; w < opts.walls; w++) {
    const broken = opts.broken?.find((b) => b.index === w)?.kind;
    const p = add(`IFCCARTESIANPOINT((${w * 3}.,0.,0.))`);
    const a = add(`IFCAXIS2PLACEMENT3D(#${p},$,$)`);
    const pl = add(`IFCLOCALPLACEMENT(#${stPl},#${a})`);
    let profile: number;
    if (broken === 'missing_ref') profile = add(`IFCRECTANGLEPROFILEDEF(.AREA.,$,#99999,2.,0.2)`);
    else if (broken === 'empty_polyline') {
      const pt = add('IFCCARTESIANPOINT((0.,0.))');
      const poly = add(`IFCPOLYLINE((#${pt}))`);
      profile = add(`IFCARBITRARYCLOSEDPROFILEDEF(.AREA.,$,#${poly})`);
    } else {
      const p2 = add('IFCCARTESIANPOINT((1.,0.1))');
      const a2 = add(`IFCAXIS2PLACEMENT2D(#${p2},$)`);
      profile = add(`IFCRECTANGLEPROFILEDEF(.AREA.,$,#${a2},2.,0.2)`);
    }
    const solid = add(`IFCEXTRUDEDAREASOLID(#${profile},#${axis},#${zDir},${broken === 'zero_depth' ? '0.' : '3.'})`);
    const shape = add(`IFCSHAPEREPRESENTATION(#${ctx},'Body','SweptSolid',(#${solid}))`);
    const pds = add(`IFCPRODUCTDEFINITIONSHAPE($,$,(#${shape}))`);
    const wall = add(`IFCWALL('${guid(100 + w)}',$,'Wall ${w + 1}',$,$,#${pl},#${pds},$,.SOLIDWALL.)`);
    walls.push(wall);
    const v = add(`IFCPROPERTYSINGLEVALUE('FireRating',$,IFCLABEL('REI ${60 + w}'),$)`);
    const ps = add(`IFCPROPERTYSET('${guid(500 + w)}',$,'Pset_WallCommon',$,(#${v}))`);
    add(`IFCRELDEFINESBYPROPERTIES('${guid(900 + w)}',$,$,$,(#${wall}),#${ps})`);
  }
  add(`IFCRELCONTAINEDINSPATIALSTRUCTURE('${guid(8)}',$,$,$,(${walls.map((w) => `#${w}`).join(',')}),#${storey})`);
  return [
    'ISO-10303-21;',
    'HEADER;',
    "FILE_DESCRIPTION(('ViewDefinition [ReferenceView]'),'2;1');",
    "FILE_NAME('test.ifc','2026-01-01T00:00:00',(''),(''),'Site Twin tests','Site Twin tests','');",
    `FILE_SCHEMA(('${opts.schema ?? 'IFC4'}'));`,
    'ENDSEC;',
    'DATA;',
    ...lines,
    'ENDSEC;',
    'END-ISO-10303-21;',
    '',
  ].join('\n');
}
