namespace Umt.Tests.Runner;

/// <summary>
/// Tests that signal a trainer process and bound its stop: run alone. Beside the parallel suite a
/// SIGTERMed trainer has been seen not to exit within 60 s while it does in 2–6 s alone (not yet
/// explained; see the issue notes), so the bound is checked where it measures the trainer.
/// </summary>
[CollectionDefinition(nameof(SignalledTrainers), DisableParallelization = true)]
public sealed class SignalledTrainers;
