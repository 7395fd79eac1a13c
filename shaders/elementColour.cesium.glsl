// Element colouring and highlight for a Cesium3DTileset tile (CustomShader, MODIFY_MATERIAL).
// u_elementColours: one RGBA texel per feature id of this tile (EXT_mesh_features featureId_0), laid out row-major in
// a u_lookupSize.x by u_lookupSize.y texture. Alpha 0 keeps the model's colour; alpha 255 marks the highlighted element
// (solid colour plus a glow so it reads through lighting); anything between tints by that strength (colour-by maps).
void fragmentMain(FragmentInput fsInput, inout czm_modelMaterial material) {
  float id = float(fsInput.featureIds.featureId_0);
  float w = u_lookupSize.x;
  float row = floor(id / w);
  vec2 st = vec2((id - row * w + 0.5) / w, (row + 0.5) / u_lookupSize.y);
  vec4 c = texture(u_elementColours, st);
  if (c.a <= 0.0) return;
  // Texels are sRGB bytes; Cesium lights materials in linear space.
  vec3 rgb = czm_srgbToLinear(c.rgb);
  if (c.a > 0.999) {
    material.diffuse = rgb;
    material.emissive = rgb * 0.55;
    material.alpha = 1.0;
  } else {
    material.diffuse = mix(material.diffuse, rgb, c.a);
  }
}
