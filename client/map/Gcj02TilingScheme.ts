import { Cartographic, Math as CesiumMath, WebMercatorTilingScheme, type Cartesian2, type Rectangle } from 'cesium';
import { gcj02ToWgs84, wgs84ToGcj02 } from '../../models/Gcj02.js';

const scratch = new Cartographic();

/**
 * The Web Mercator grid of a tile source drawn in GCJ-02 (Gaode/Amap, Tencent, Google's China tiles), shifted so its
 * images land where they belong in WGS84: each tile's rectangle has its edges moved GCJ-02 -> WGS84, and a WGS84
 * position is looked up by its GCJ-02 position. The offset changes little across a tile (it is smooth over
 * kilometres): moving the edges keeps a pixel within 5 m of its place from zoom 13 (19 m pixels) to 19, and within
 * half a pixel further out (see the test).
 */
export class Gcj02TilingScheme extends WebMercatorTilingScheme {
  override tileXYToRectangle(x: number, y: number, level: number, result?: Rectangle): Rectangle {
    const r = super.tileXYToRectangle(x, y, level, result);
    const west = CesiumMath.toDegrees(r.west);
    const east = CesiumMath.toDegrees(r.east);
    const south = CesiumMath.toDegrees(r.south);
    const north = CesiumMath.toDegrees(r.north);
    const midLon = (west + east) / 2;
    const midLat = (south + north) / 2;
    // Each edge moves by the offset at its middle: the tile keeps the offset's gradient along both axes through its
    // centre, which halves the error of moving the corners.
    r.west = CesiumMath.toRadians(gcj02ToWgs84(west, midLat)[0]);
    r.east = CesiumMath.toRadians(gcj02ToWgs84(east, midLat)[0]);
    r.south = CesiumMath.toRadians(gcj02ToWgs84(midLon, south)[1]);
    r.north = CesiumMath.toRadians(gcj02ToWgs84(midLon, north)[1]);
    return r;
  }

  override positionToTileXY(position: Cartographic, level: number, result?: Cartesian2): Cartesian2 {
    const [lon, lat] = wgs84ToGcj02(CesiumMath.toDegrees(position.longitude), CesiumMath.toDegrees(position.latitude));
    return super.positionToTileXY(Cartographic.fromDegrees(lon, lat, 0, scratch), level, result);
  }
}
