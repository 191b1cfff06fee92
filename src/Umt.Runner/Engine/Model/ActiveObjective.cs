using Umt.Abstractions.Objectives;
using Umt.Runner.Engine.Composition;

namespace Umt.Runner.Engine.Model;

/// <summary>A constructed objective with its configured weight.</summary>
public sealed record ActiveObjective(SelectedObjective Selection, IObjective Objective)
{
    public string Name => Selection.Entry.Name;

    public double Weight => Selection.Weight;

    /// <summary>Prefix of the objective's head in checkpoints: its own, else its export name.</summary>
    public string CheckpointPrefix => Objective.CheckpointPrefix ?? Name;
}
