namespace Umt.Plugins.Objectives.Vtm;

/// <summary>
/// Options of the <c>vtm</c> objective (<c>Umt:Objectives:vtm:Options</c>). It has none of its own:
/// negatives are always the reference's hard negatives (<c>vtm_hard_neg=True</c> in every stage-2
/// config), drawn from the similarities of the shared projections (<c>Umt:Stage2</c>).
/// </summary>
public sealed class VtmOptions
{
}
