// Alarm glow: a pulsing disc with an expanding ring under a device that has an active alarm, as a Cesium material on
// an ellipse. `time` is seconds (advanced by the client every frame while a glow shows); `color` carries the level.
uniform vec4 color;
uniform float time;

czm_material czm_getMaterial(czm_materialInput materialInput) {
  czm_material m = czm_getDefaultMaterial(materialInput);
  vec2 p = materialInput.st * 2.0 - 1.0;
  float r = length(p);
  float pulse = 0.5 + 0.5 * sin(time * 6.2831853 * 1.2);
  float wave = fract(time * 0.8);
  float ring = 1.0 - smoothstep(0.0, 0.09, abs(r - wave));
  float core = 1.0 - smoothstep(0.0, 1.0, r);
  m.diffuse = color.rgb;
  m.emission = color.rgb * (0.35 + 0.65 * pulse);
  m.alpha = color.a * clamp(core * (0.25 + 0.55 * pulse) + ring * (1.0 - r) * 0.9, 0.0, 1.0) * step(r, 1.0);
  return m;
}
