namespace Umt.Runner.Engine.Checkpoints;

/// <summary>A checkpoint folder the search did not use, and why.</summary>
public sealed record PassedOverCheckpoint(string Directory, string Reason);

/// <summary>
/// What <see cref="CheckpointStore.Find"/> found: the checkpoint to continue from (null when none
/// is usable), what was wrong with <c>latest</c>, and the folders passed over on the way (newest first).
/// </summary>
public sealed record CheckpointSearch(CheckpointInfo? Checkpoint, string? LatestProblem, IReadOnlyList<PassedOverCheckpoint> PassedOver);
