namespace Umt.Plugins.Objectives.Vtc;

/// <summary>
/// Options of the <c>vtc</c> objective (<c>Umt:Objectives:vtc:Options</c>). It has none of its own:
/// the projections and the temperature it scores are shared with <c>vtm</c> and configured under
/// <c>Umt:Stage2</c> (<c>EmbedDim</c>, <c>Temperature</c>).
/// </summary>
public sealed class VtcOptions
{
}
