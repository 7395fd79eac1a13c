import { closeSync, createReadStream, openSync, statSync, writeSync } from 'node:fs';
import { request } from 'node:http';

/**
 * Writes a large, valid IFC4 file fast: one site, building and storey, and `elements` columns on a grid that all share
 * one extruded rectangle (so web-ifc meshes it once), each with its own placement. `padBytes` of description text per
 * element make the file as large as wanted with few elements, so a test reaches the index, the element inserts and
 * the tiles within its time. Written in 4 MB chunks; web-ifc's writer (demoBuilding.ts) is far too slow for 200 MB.
 * Returns the file size.
 */
export function writeBigIfc(path: string, opts: { elements: number; padBytes?: number; name?: string }): number {
  const fd = openSync(path, 'w');
  let buf = '';
  let size = 0;
  const put = (s: string) => {
    buf += s;
    if (buf.length > 4 << 20) flush();
  };
  const flush = () => {
    size += writeSync(fd, buf, null, 'latin1');
    buf = '';
  };
  let guidSeq = 0;
  // IFC GlobalIds are 22 characters of the IFC base-64 alphabet; a counter keeps them unique.
  const B64 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$';
  const guid = () => {
    let n = guidSeq++;
    let s = '';
    for (let i = 0; i < 21; i++) {
      s = B64[n % 64] + s;
      n = Math.floor(n / 64);
    }
    return `1${s}`;
  };
  try {
    const name = opts.name ?? 'big.ifc';
    put(`ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [DesignTransferView]'),'2;1');\n`);
    put(
      `FILE_NAME('${name}','2024-01-01T00:00:00',('Site Twin tests'),('Site Twin'),'bigIfc','bigIfc','');\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n`,
    );
    put(
      `#1=IFCPROJECT('${guid()}',$,'Big project',$,$,$,$,(#20),#10);\n#10=IFCUNITASSIGNMENT((#11));\n#11=IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);\n`,
    );
    put(
      `#20=IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.E-05,#21,$);\n#21=IFCAXIS2PLACEMENT3D(#22,$,$);\n#22=IFCCARTESIANPOINT((0.,0.,0.));\n`,
    );
    put(
      `#30=IFCSITE('${guid()}',$,'Site',$,$,#31,$,$,.ELEMENT.,(36,4,12,0),(120,24,0,0),0.,$,$);\n#31=IFCLOCALPLACEMENT($,#21);\n`,
    );
    put(`#40=IFCBUILDING('${guid()}',$,'Building',$,$,#41,$,$,.ELEMENT.,$,$,$);\n#41=IFCLOCALPLACEMENT(#31,#21);\n`);
    put(`#50=IFCBUILDINGSTOREY('${guid()}',$,'Level 1',$,$,#51,$,$,.ELEMENT.,0.);\n#51=IFCLOCALPLACEMENT(#41,#21);\n`);
    put(
      `#60=IFCRELAGGREGATES('${guid()}',$,$,$,#1,(#30));\n#61=IFCRELAGGREGATES('${guid()}',$,$,$,#30,(#40));\n#62=IFCRELAGGREGATES('${guid()}',$,$,$,#40,(#50));\n`,
    );
    put(
      `#100=IFCRECTANGLEPROFILEDEF(.AREA.,$,#101,0.4,0.4);\n#101=IFCAXIS2PLACEMENT2D(#102,$);\n#102=IFCCARTESIANPOINT((0.,0.));\n`,
    );
    put(
      `#103=IFCDIRECTION((0.,0.,1.));\n#104=IFCEXTRUDEDAREASOLID(#100,#21,#103,3.);\n#105=IFCSHAPEREPRESENTATION(#20,'Body','SweptSolid',(#104));\n#106=IFCPRODUCTDEFINITIONSHAPE($,$,(#105));\n`,
    );
    const pad = 'x'.repeat(Math.max(0, opts.padBytes ?? 0));
    const side = Math.ceil(Math.sqrt(opts.elements));
    const ids: number[] = [];
    for (let i = 0; i < opts.elements; i++) {
      const id = 1000 + i * 4;
      const x = (i % side) * 2;
      const y = Math.floor(i / side) * 2;
      put(
        `#${id}=IFCCARTESIANPOINT((${x}.,${y}.,0.));\n#${id + 1}=IFCAXIS2PLACEMENT3D(#${id},$,$);\n#${id + 2}=IFCLOCALPLACEMENT(#51,#${id + 1});\n`,
      );
      put(`#${id + 3}=IFCCOLUMN('${guid()}',$,'Column ${i}','${pad}',$,#${id + 2},#106,$,.COLUMN.);\n`);
      ids.push(id + 3);
    }
    // One containment relation per 10 000 elements keeps each STEP line a reasonable length.
    let relId = 1000 + opts.elements * 4;
    for (let k = 0; k < ids.length; k += 10_000) {
      put(
        `#${relId++}=IFCRELCONTAINEDINSPATIALSTRUCTURE('${guid()}',$,$,$,(${ids
          .slice(k, k + 10_000)
          .map((i) => `#${i}`)
          .join(',')}),#50);\n`,
      );
    }
    put('ENDSEC;\nEND-ISO-10303-21;\n');
    flush();
  } finally {
    closeSync(fd);
  }
  return size;
}

/** Streams a file to the model upload API as a raw body (never held in memory); resolves with the JSON answer. */
export function streamUpload(
  baseUrl: string,
  projectId: string,
  path: string,
  fileName: string,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/api/v1/projects/${projectId}/models?filename=${encodeURIComponent(fileName)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': statSync(path).size },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}
