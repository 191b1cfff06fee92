using Umt.Runner.Engine.Data;

namespace Umt.Runner.Engine.Checkpoints;

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

    /// <summary>
    /// The configuration that determines how the run trains (seed, data, masking, targets, loss
    /// weights; see <see cref="TrajectoryIdentity"/>): key → value. Empty in checkpoints written before it was recorded.
    /// </summary>
    public SortedDictionary<string, string> Trajectory { get; set; } = [];

    /// <summary>Total loss of every completed step (for summaries and plots).</summary>
    public List<double> Losses { get; set; } = [];

    /// <summary>
    /// SHA-256 (lowercase hex) of each file of the checkpoint, by file name; <see cref="CheckpointStore"/>
    /// fills it when saving. Empty in checkpoints written before checksums were recorded.
    /// </summary>
    public SortedDictionary<string, string> Sha256 { get; set; } = [];

    public DateTimeOffset WrittenAt { get; set; }

    /// <summary>
    /// Wall seconds spent training up to this checkpoint, over every sitting (each from the start of
    /// <c>Trainer.Run</c>: set-up, steps and checkpoint writes; the steps a killed sitting did after its
    /// last checkpoint are not counted). 0 in checkpoints written before it was recorded.
    /// </summary>
    public double TrainingSeconds { get; set; }

    /// <summary>Process CPU seconds (user + sys) spent training up to this checkpoint, counted as <see cref="TrainingSeconds"/>.</summary>
    public double CpuSeconds { get; set; }

    /// <summary>
    /// Where media stream <paramref name="stream"/> (0: the videos, 1: stage 2's images) stands, under
    /// the field names checkpoints have always used, so that older checkpoints resume.
    /// </summary>
    public DataCursor CursorOf(int stream) => stream switch
    {
        0 => new DataCursor(Epoch, Offset),
        1 => new DataCursor(ImageEpoch, ImageOffset),
        _ => throw NoSuchStream(stream),
    };

    /// <summary>The unreadable samples of media stream <paramref name="stream"/> found so far.</summary>
    public List<long> FailedSamplesOf(int stream) => stream switch
    {
        0 => FailedSamples,
        1 => ImageFailedSamples,
        _ => throw NoSuchStream(stream),
    };

    /// <summary>Records where media stream <paramref name="stream"/> stands and which of its samples failed.</summary>
    public void Record(int stream, DataCursor cursor, List<long> failed)
    {
        switch (stream)
        {
            case 0:
                (Epoch, Offset, FailedSamples) = (cursor.Epoch, cursor.Offset, failed);
                break;
            case 1:
                (ImageEpoch, ImageOffset, ImageFailedSamples) = (cursor.Epoch, cursor.Offset, failed);
                break;
            default:
                throw NoSuchStream(stream);
        }
    }

    private static ArgumentOutOfRangeException NoSuchStream(int stream) => new(nameof(stream), stream, "state.json records two media streams: 0 (videos) and 1 (images).");

    /// <summary>
    /// Why this cannot be the state the trainer saved as <c>checkpoint-<paramref name="folderStep"/></c>,
    /// or null when it can: a hand-edited or damaged state would otherwise start an absurd run.
    /// </summary>
    public string? Inconsistency(long folderStep)
    {
        if (Step != folderStep)
        {
            return $"Step is {Step}, but the folder holds step {folderStep}";
        }
        var counters = new (string Name, long Value)[]
        {
            (nameof(Epoch), Epoch), (nameof(Offset), Offset), (nameof(ImageEpoch), ImageEpoch), (nameof(ImageOffset), ImageOffset), (nameof(GlobalBatch), GlobalBatch),
        };
        if (counters.FirstOrDefault(c => c.Value < 0) is { Name: not null } negative)
        {
            return $"{negative.Name} is {negative.Value}, below 0";
        }
        if (Losses is null || Losses.Count != Step)
        {
            return $"it holds {Losses?.Count ?? 0} losses for {Step} steps (one per step)";
        }
        if (FailedSamples is null || ImageFailedSamples is null || FailedSamples.Concat(ImageFailedSamples).Any(index => index < 0))
        {
            return "its failed-sample lists are missing or hold negative indices";
        }
        if (ModelIdentity is null || Trajectory is null || Sha256 is null)
        {
            return "ModelIdentity, Trajectory or Sha256 is null";
        }
        if (ConfigHash is { Length: > 0 } && ConfigHash != Checkpoints.ModelIdentity.Hash(ModelIdentity))
        {
            return "its ConfigHash does not match its ModelIdentity";
        }
        return null;
    }
}
