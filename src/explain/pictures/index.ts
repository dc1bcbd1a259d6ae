// The pictures: heatmaps over images, bar charts of tabular attributions, and a page of several.
export { attributionHeatmapSvg, type AttributionHeatmapOptions } from './heatmap.js';
export { gridFromTensor, type GridFromTensorOptions, type GridInput, type HeatmapGrid } from './grid.js';
export { attributionBarChartSvg, type AttributionBarChartOptions } from './barChart.js';
export { explanationsHtml, type ExplanationPanel, type ExplanationsHtmlOptions } from './html.js';
