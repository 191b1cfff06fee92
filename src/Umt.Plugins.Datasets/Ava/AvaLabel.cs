namespace Umt.Plugins.Datasets.Ava;

/// <summary>One action class of an AVA label map.</summary>
/// <param name="Id">The id the CSVs use (1-based).</param>
/// <param name="Name">The action's name, e.g. <c>stand</c>.</param>
public sealed record AvaLabel(int Id, string Name);
