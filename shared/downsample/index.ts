// Pure downsampling algorithms over plain and typed arrays (no models, no I/O): what `DownsampledSource` in
// `shared/models` uses to send the browser only what the current view needs.
export { lowerBound, upperBound } from "./sorted-search.ts";
export { columnExtent, isSortedAscending, type ColumnExtent } from "./column-stats.ts";
export { columnEdge, minMaxIndices, visibleSlice, type XWindow } from "./min-max.ts";
export { lttbIndices } from "./lttb.ts";
export { lineIndices, type LineMethod } from "./line-view.ts";
export { binPoints, compactCounts, type BinGrid, type BinnedPoints, type PointSelection } from "./bin-counts.ts";
export { gridIndex, overlappingRuns, type GridIndex } from "./grid-index.ts";
export { gatherColumn, type GatherableColumn } from "./gather.ts";
export { candidates, computeView, type AggregateImage, type View, type ViewSettings, type Viewport } from "./viewport-view.ts";
