using System.Globalization;
using Umt.Runner.Engine.Composition;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// The part of a run's configuration that determines what it trains on and towards, beyond the
/// model's shape (<see cref="ModelIdentity"/>): the seed (initialisation, data order, every keyed
/// draw), the datasets (plugin, options, sample count), video and image masking, the teacher's
/// options, the objectives' weights and, in stage 2, the image stream and the temperature. <c>--resume</c> refuses to continue
/// when any of it changed and names the keys: the continued run would be another experiment under
/// the first one's name. Everything else may change between sittings: the optimizer's settings and
/// the learning-rate schedule (Lr, MinLr, warm-up, Steps or Epochs: how a run is extended or a
/// diverged one rescued), logging, checkpointing, devices, threads, workers and failure tolerance.
/// </summary>
public static class TrajectoryIdentity
{
    /// <summary>
    /// Options that say where a file is, how long to wait for one, which decoder reads it (both
    /// give the same frames) or in which precision the frozen teacher computes (bf16 targets have
    /// cosine ≥ 0.999 with fp32 ones, like a change of device), not what the run trains on: data and
    /// weights move between machines (a job's local scratch copy) and hardware changes between
    /// sittings without changing the run. A different dataset still shows in its sample count and
    /// its other options. Precision joined when its default became <c>auto</c>, so runs started
    /// with the fp32 default still resume.
    /// </summary>
    private static readonly HashSet<string> Interchangeable = new(StringComparer.Ordinal)
    {
        "Root", "Manifest", "Weights", "Labels", "LabelMap", "Classes", "Vocab", "DecodeTimeoutSeconds", "Decoder", "Precision",
    };

    /// <summary>
    /// A checkpoint's saved identity without the options that became interchangeable after it was
    /// written (its teacher's <c>Precision</c>), so it compares with <see cref="From"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> AsSavedNow(IReadOnlyDictionary<string, string> saved) =>
        saved.Where(kv => !Interchangeable.Contains(kv.Key[(kv.Key.LastIndexOf(':') + 1)..]))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    public static SortedDictionary<string, string> From(RunPlan plan)
    {
        var identity = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Umt:Run:Seed"] = plan.Run.Seed.ToString(CultureInfo.InvariantCulture),
        };
        // Settings a run does not use (an image stream it has not) are left out, so changing them refuses nothing.
        foreach (var stream in plan.Streams)
        {
            AddDataset(identity, stream.DatasetSection, stream.Dataset, stream.DatasetInfo.Count);
            AddPlugin(identity, stream.MaskingSection, stream.Masking);
        }
        if (plan.TextEncoder is not null)
        {
            identity["Umt:Stage2:Temperature"] = plan.Stage2.Temperature.ToString(CultureInfo.InvariantCulture);
        }
        if (plan.Teacher is { } teacher)
        {
            AddPlugin(identity, "Umt:Teacher", teacher);
        }
        foreach (var objective in plan.Objectives)
        {
            identity[$"Umt:Objectives:{objective.Entry.Name}:Weight"] = objective.Weight.ToString(CultureInfo.InvariantCulture);
        }
        return identity;
    }

    private static void AddDataset(SortedDictionary<string, string> identity, string section, SelectedPlugin dataset, long count)
    {
        AddPlugin(identity, section, dataset);
        identity[$"{section}:Samples"] = count.ToString(CultureInfo.InvariantCulture);
    }

    private static void AddPlugin(SortedDictionary<string, string> identity, string section, SelectedPlugin plugin)
    {
        identity[$"{section}:Use"] = plugin.Entry.Name;
        ModelIdentity.AddOptions(identity, plugin.OptionsPath, plugin.Options, Interchangeable);
    }
}
