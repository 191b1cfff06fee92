namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// What <c>--resume</c> asks for: the run folder's latest checkpoint (<c>--resume</c>), or a given
/// checkpoint folder (<c>--resume PATH</c>). A run without <c>--resume</c> has no request (null).
/// </summary>
/// <param name="Checkpoint">The <c>checkpoint-&lt;step&gt;</c> folder to continue from; null: the latest of <c>Umt:Run:OutputDir</c>.</param>
public sealed record ResumeRequest(string? Checkpoint)
{
    /// <summary><c>--resume</c> alone: the latest checkpoint, or a new run when the run folder holds none yet (a requeued job's first start).</summary>
    public static ResumeRequest Latest { get; } = new((string?)null);
}
