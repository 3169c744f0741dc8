/**
 * Base classes of the Bokeh models plothost's helpers build (from BokehJS's class tree), as "Child:Parent" pairs.
 * Themes use it so that settings for "Axis" reach LinearAxis, "Widget" reaches every widget, and so on, as
 * Python's themes follow the class hierarchy. Types not listed (custom models) only match their own name and Model.
 */
const PAIRS =
  "AbstractButton:Control AbstractSlider:Widget ActionTool:Tool AdaptiveTicker:ContinuousTicker AllIndices:Filter " +
  "AllLabels:LabelingPolicy Annotation:CompositeRenderer Area:Glyph Axis:GuideRenderer BaseDatePicker:PickerBase " +
  "BaseNumericalSlider:AbstractSlider BaseSingleIntervalTicker:ContinuousTicker BasicTickFormatter:TickFormatter " +
  "BasicTicker:AdaptiveTicker BoxAnnotation:Annotation BoxSelectTool:RegionSelectTool BoxZoomTool:GestureTool " +
  "Button:AbstractButton CDSView:Model Callback:Model CategoricalAxis:Axis CategoricalColorMapper:ColorMapper " +
  "CategoricalMarkerMapper:Mapper CategoricalScale:Scale CategoricalTickFormatter:TickFormatter " +
  "CategoricalTicker:Ticker CellEditor:Model CellFormatter:Model CenterRotatable:XYGlyph CheckboxEditor:CellEditor " +
  "CheckboxGroup:ToggleInputGroup Circle:RadialGlyph ColorMapper:Mapper Column:FlexBox " +
  "ColumnDataSource:ColumnarDataSource ColumnarDataSource:DataSource CompositeRenderer:Renderer " +
  "CompositeTicker:ContinuousTicker ContinuousAxis:Axis ContinuousColorMapper:ColorMapper ContinuousScale:Scale " +
  "ContinuousTicker:Ticker Control:Widget CrosshairTool:InspectTool CustomJS:Callback DataRange1d:DataRange " +
  "DataRange:NumericalRange DataRenderer:Renderer DataSource:Model DataTable:TableWidget DateEditor:CellEditor " +
  "DateFormatter:StringFormatter DatePicker:BaseDatePicker DatetimeAxis:ContinuousAxis " +
  "DatetimeTickFormatter:TickFormatter DatetimeTicker:CompositeTicker DaysTicker:BaseSingleIntervalTicker Div:Markup " +
  "Dropdown:AbstractButton FactorRange:Range Figure:Plot Filter:Model FlexBox:LayoutDOM GestureTool:Tool Glyph:Model " +
  "GlyphRenderer:DataRenderer Grid:GuideRenderer GridPlot:LayoutDOM GuideRenderer:Renderer HArea:Area HBar:LRTB " +
  "HTMLTemplateFormatter:CellFormatter HelpTool:ActionTool HoverTool:InspectTool Image:ImageBase ImageBase:XYGlyph " +
  "InputWidget:Control InspectTool:Tool IntEditor:CellEditor LRTB:Glyph LabelingPolicy:Model " +
  "LassoSelectTool:RegionSelectTool LayoutDOM:Pane Legend:Annotation LegendItem:Model Line:XYGlyph " +
  "LinearAxis:ContinuousAxis LinearColorMapper:ContinuousColorMapper LinearScale:ContinuousScale LogAxis:ContinuousAxis " +
  "LogColorMapper:ContinuousColorMapper LogScale:ContinuousScale LogTickFormatter:TickFormatter " +
  "LogTicker:AdaptiveTicker Mapper:Transform Marker:XYGlyph Markup:Widget MonthsTicker:BaseSingleIntervalTicker " +
  "MultiLine:Glyph MultiSelect:InputWidget NumberEditor:CellEditor NumberFormatter:StringFormatter " +
  "NumericInput:InputWidget NumericalRange:Range NumericalRangeSlider:BaseNumericalSlider " +
  "NumericalSlider:BaseNumericalSlider PanTool:GestureTool Pane:UIElement Paragraph:Markup Patches:Glyph " +
  "PickerBase:InputWidget Plot:LayoutDOM PlotActionTool:ActionTool PolyAnnotation:Annotation " +
  "PolySelectTool:RegionSelectTool PreText:Markup Quad:LRTB RadialGlyph:XYGlyph RadioGroup:ToggleInputGroup " +
  "Range1d:NumericalRange Range:Model RangeSlider:NumericalRangeSlider Rect:CenterRotatable RegionSelectTool:SelectTool " +
  "Renderer:StyledElement ResetTool:PlotActionTool Row:FlexBox SaveTool:ActionTool Scale:Transform Scatter:Marker " +
  "Segment:Glyph Select:InputWidget SelectEditor:CellEditor SelectTool:GestureTool Slider:NumericalSlider " +
  "Spacer:LayoutDOM Step:XYGlyph StringEditor:CellEditor StringFormatter:CellFormatter StyledElement:Model " +
  "TabPanel:Model TableColumn:Model TableWidget:Widget Tabs:LayoutDOM TapTool:SelectTool Text:XYGlyph " +
  "TextAnnotation:Annotation TextAreaInput:TextLikeInput TextEditor:CellEditor TextInput:TextLikeInput " +
  "TextLikeInput:InputWidget TickFormatter:Model Ticker:Model Title:TextAnnotation Toggle:AbstractButton " +
  "ToggleInputGroup:Control Tool:Model Toolbar:UIElement Transform:Model UIElement:StyledElement VArea:Area VBar:LRTB " +
  "Wedge:XYGlyph Widget:LayoutDOM XYGlyph:Glyph YearsTicker:BaseSingleIntervalTicker";

const PARENT = new Map(PAIRS.split(" ").map((pair) => pair.split(":") as [string, string]));

/** `type` and its base classes, most derived first, ending with "Model" (Python's MRO, by name). */
export function modelAncestry(type: string): string[] {
  const chain = [type];
  let current = type;
  while (current !== "Model") {
    current = PARENT.get(current) ?? "Model";
    if (chain.includes(current)) break;
    chain.push(current);
  }
  return chain;
}
