import { afterEach, describe, expect, it, vi } from 'vitest';
import { schemaStrangers } from '../../../server/ifc/pipeline/fileChecks.js';
import { createIfcApi, openModel, WebIFC } from '../../../server/ifc/pipeline/webIfc.js';
import { syntheticIfc } from './syntheticIfc.js';

// Entities a file holds that its declared schema does not have (schemaStrangers): the same warning as before for such a
// file, and a sound file answered without one web-ifc query per type of the other schemas (about a thousand).

afterEach(() => vi.restoreAllMocks());

const base = syntheticIfc({ walls: 1 });
const ctx = /#(\d+)=IFCGEOMETRICREPRESENTATIONCONTEXT/.exec(base)![1];
const withMapConversion = base.replace(
  /ENDSEC;\nEND-ISO/,
  `#9001=IFCPROJECTEDCRS('EPSG:4547',$,'CGCS2000',$,$,$,$);\n#9002=IFCMAPCONVERSION(#${ctx},#9001,500000.,4000000.,0.,1.,0.,1.);\nENDSEC;\nEND-ISO`,
);

describe('schemaStrangers', () => {
  it('names IFC4 entities under an IFC2X3 header, type by type', async () => {
    const api = await createIfcApi();
    const id = openModel(
      api,
      Buffer.from(withMapConversion.replace("FILE_SCHEMA(('IFC4'))", "FILE_SCHEMA(('IFC2X3'))")),
    );
    const s = schemaStrangers(api, id, 'IFC2X3');
    expect(s).not.toBeNull();
    expect(s!.warning).toMatch(/declares IFC2X3 but holds 2 entity types/);
    expect(s!.warning).toMatch(/IfcMapConversion x1/);
    expect(s!.warning).toMatch(/IfcProjectedCRS x1/);
    expect([...s!.types].sort()).toEqual([WebIFC.IFCMAPCONVERSION, WebIFC.IFCPROJECTEDCRS].sort());
    api.CloseModel(id);
    api.Dispose();
  });

  it('answers a sound file with a few queries, not one per type of the other schemas', async () => {
    const api = await createIfcApi();
    const id = openModel(api, Buffer.from(withMapConversion));
    const asked = vi.spyOn(WebIFC.IfcAPI.prototype, 'GetLineIDsWithType');
    expect(schemaStrangers(api, id, 'IFC4')).toBeNull();
    expect(asked.mock.calls.length).toBeLessThan(5);
    api.CloseModel(id);
    api.Dispose();
  });
});
