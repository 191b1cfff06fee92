namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// What <c>--resume</c> asks for: the run folder's latest checkpoint, or a new run when it holds none
/// yet (<c>--resume</c> alone: a requeued job's line), or a given checkpoint folder (<c>--resume PATH</c>).
/// A run without <c>--resume</c> has no request (null).
/// </summary>
/// <param name="Checkpoint">The <c>checkpoint-&lt;step&gt;</c> folder to continue from; null: the latest of <c>Umt:Run:OutputDir</c>.</param>
public sealed record ResumeRequest(string? Checkpoint);
