using Umt.Abstractions.Objectives;
using Umt.Runner.Engine.Composition;

namespace Umt.Runner.Engine.Model;

/// <summary>A constructed objective with its configured weight.</summary>
public sealed record ActiveObjective(SelectedObjective Selection, IObjective Objective)
{
    public string Name => Selection.Entry.Name;

    public double Weight => Selection.Weight;
}
