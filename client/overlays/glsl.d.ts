/** GLSL sources in shaders/ are imported as text (Vite `?raw`) and handed to Cesium materials. */
declare module '*.glsl?raw' {
  const source: string;
  export default source;
}
