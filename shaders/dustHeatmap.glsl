// Dust heat map over a site: an inverse-distance-weighted field of up to 8 monitors' PM10, as a Cesium material on a
// rectangle. Each monitor is one column of samplesA / samplesB: (s, t, value, unused) in the rectangle's st space.
uniform mat4 samplesA;
uniform mat4 samplesB;
uniform float count;
uniform float limit;
uniform float aspect;

czm_material czm_getMaterial(czm_materialInput materialInput) {
  czm_material m = czm_getDefaultMaterial(materialInput);
  vec2 st = materialInput.st;
  float wsum = 0.0;
  float vsum = 0.0;
  for (int i = 0; i < 8; i++) {
    if (float(i) >= count) break;
    vec4 s = i < 4 ? samplesA[i] : samplesB[i - 4];
    vec2 d = (st - s.xy) * vec2(aspect, 1.0);
    float w = 1.0 / (dot(d, d) + 0.0004);
    wsum += w;
    vsum += w * s.z;
  }
  float r = clamp((vsum / max(wsum, 1e-6)) / max(limit, 1.0), 0.0, 1.5);
  vec3 green = vec3(0.15, 0.72, 0.35);
  vec3 amber = vec3(0.96, 0.76, 0.12);
  vec3 red = vec3(0.92, 0.18, 0.12);
  vec3 c = r < 0.7 ? mix(green, amber, r / 0.7) : mix(amber, red, clamp((r - 0.7) / 0.3, 0.0, 1.0));
  // Fade towards the rectangle's edges so the field reads as a cloud around the site, not a tile.
  vec2 e = min(st, 1.0 - st);
  float edge = smoothstep(0.0, 0.2, min(e.x, e.y));
  m.diffuse = c;
  m.emission = c * 0.35;
  m.alpha = count > 0.0 ? (0.22 + 0.33 * clamp(r, 0.0, 1.0)) * edge : 0.0;
  return m;
}
