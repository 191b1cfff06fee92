namespace Umt.Runner.Engine.Configuration;

/// <summary>Values of <c>Umt:Optimizer:LrScaling</c>: how the configured rates relate to the global batch.</summary>
public static class LrScaling
{
    /// <summary>Rates are per <c>BaseBatch</c> clips, times global batch / BaseBatch (the reference's stage 1 and classification fine-tuning).</summary>
    public const string Linear = "linear";

    /// <summary>Rates are used as given at any batch and world size (the reference's stage 2 and retrieval fine-tuning).</summary>
    public const string None = "none";
}
