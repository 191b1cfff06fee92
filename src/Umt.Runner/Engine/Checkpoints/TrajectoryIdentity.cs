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
    /// Options that say where a file is, or how long to wait for one, not what it holds: data and
    /// weights move between machines (a job's local scratch copy) without changing the run. A
    /// different dataset still shows in its sample count and its other options.
    /// </summary>
    private static readonly HashSet<string> Locations = new(StringComparer.Ordinal)
    {
        "Root", "Manifest", "Weights", "Labels", "LabelMap", "Classes", "Vocab", "DecodeTimeoutSeconds",
    };

    public static SortedDictionary<string, string> From(RunPlan plan)
    {
        var identity = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Umt:Run:Seed"] = plan.Run.Seed.ToString(CultureInfo.InvariantCulture),
        };
        AddDataset(identity, "Umt:Dataset", plan.Dataset, plan.DatasetInfo.Count);
        AddPlugin(identity, "Umt:Masking", plan.Masking);
        // Settings a run does not use are left out, so changing them refuses nothing.
        if (plan.ImageDataset is { } images)
        {
            AddDataset(identity, "Umt:ImageDataset", images, plan.ImageDatasetInfo?.Count ?? 0);
            AddPlugin(identity, "Umt:ImageMasking", plan.ImageMasking);
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
        ModelIdentity.AddOptions(identity, plugin.OptionsPath, plugin.Options, Locations);
    }
}
