// The footprint report: model variants side by side.
export { footprintReport, type FootprintReport, type FootprintReportOptions, type FootprintRow, type FootprintVariant } from './footprintReport.js';
