namespace Umt.Runner.Training;

/// <summary>
/// <c>state.json</c> of a checkpoint: where training stands. Randomness needs no saved generator
/// state: every draw is keyed by (seed, step, sample index), so the seed and step restore it.
/// </summary>
public sealed class TrainingState
{
    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; set; }

    /// <summary>Data cursor: the next sample is <c>Permutation(seed, Epoch)[Offset]</c>.</summary>
    public long Epoch { get; set; }

    public long Offset { get; set; }

    /// <summary>
    /// Samples per optimizer step over every process (<c>BatchSize × AccumulateSteps × processes</c>);
    /// a resume keeps it, under any number of processes that divides it. 0 in checkpoints written before it was recorded.
    /// </summary>
    public int GlobalBatch { get; set; }

    /// <summary>Cursor of the image stream that alternates with the videos in stage 2 (unused otherwise).</summary>
    public long ImageEpoch { get; set; }

    public long ImageOffset { get; set; }

    public long Seed { get; set; }

    /// <summary>Samples found unreadable so far (skipped and replaced); a resumed run keeps counting them.</summary>
    public List<long> FailedSamples { get; set; } = [];

    /// <summary>Image samples found unreadable so far (stage 2's image stream).</summary>
    public List<long> ImageFailedSamples { get; set; } = [];

    /// <summary>SHA-256 of <see cref="ModelIdentity"/>.</summary>
    public string ConfigHash { get; set; } = "";

    /// <summary>The configuration that determines the model's shape: key → value.</summary>
    public SortedDictionary<string, string> ModelIdentity { get; set; } = [];

    /// <summary>Total loss of every completed step (for summaries and plots).</summary>
    public List<double> Losses { get; set; } = [];

    public DateTimeOffset WrittenAt { get; set; }
}
