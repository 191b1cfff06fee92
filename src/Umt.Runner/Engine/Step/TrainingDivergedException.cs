namespace Umt.Runner.Engine.Step;

/// <summary>A non-finite loss: the run stops before the optimizer step, so no checkpoint holds the bad update.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
