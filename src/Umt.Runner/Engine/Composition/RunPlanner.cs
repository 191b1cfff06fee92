using Microsoft.Extensions.Configuration;
using Serilog;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;
using Umt.Models.Student;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Distributed;

namespace Umt.Runner.Engine.Composition;

/// <summary>
/// Turns configuration into a <see cref="RunPlan"/>: binds run-level options, resolves every
/// plugin selection against the catalog, binds and validates the selected plugins' options, and
/// checks the cross-plugin rules of architecture.md — all before any tensor is allocated. Every
/// problem found is reported at once, each with its configuration path.
/// </summary>
public sealed class RunPlanner(PluginCatalog catalog, ILogger log)
{
    /// <summary>Reserved teacher name: no teacher (the VideoMAE baseline).</summary>
    public const string NoTeacher = "none";

    private static readonly string[] KnownSections =
        ["PluginDirectories", "Run", "Optimizer", "Model", "Distributed", "Dataset", "Teacher", "Masking", "Objectives", "TeacherTraining", "TextEncoder", "Stage2", "ImageDataset", "ImageMasking", "Retrieval"];

    /// <summary>Plans the run for this process's place in the job, as its launcher's variables say.</summary>
    public RunPlan Plan(IConfiguration configuration, string baseDirectory) => Plan(configuration, baseDirectory, LaunchEnvironment.FromProcess);

    /// <param name="launchOf">This process's place in the job; read only after the run-level options bind, so a bad launcher variable never hides them.</param>
    public RunPlan Plan(IConfiguration configuration, string baseDirectory, Func<LaunchEnvironment> launchOf)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var umt = configuration.GetSection("Umt");
        CheckTopLevel(umt, errors);
        warnings.AddRange(catalog.Broken.Select(b => $"Skipped: {b.Describe()}"));

        var run = StrictOptionsBinder.Bind<RunOptions>(umt.GetSection("Run"), errors);
        var optimizer = StrictOptionsBinder.Bind<OptimizerOptions>(umt.GetSection("Optimizer"), errors);
        var model = StrictOptionsBinder.Bind<ModelOptions>(umt.GetSection("Model"), errors);
        var distributed = StrictOptionsBinder.Bind<DistributedOptions>(umt.GetSection("Distributed"), errors);
        var stage2 = StrictOptionsBinder.Bind<Stage2Options>(umt.GetSection("Stage2"), errors);
        var retrieval = StrictOptionsBinder.Bind<RetrievalOptions>(umt.GetSection("Retrieval"), errors);
        if (errors.Count > 0)
        {
            // Plugin options are sized by the model and the run; stop before binding them on bad ground.
            throw new ConfigurationException(errors);
        }

        if (run.Steps is not null && run.Epochs is not null)
        {
            warnings.Add($"Umt:Run:Steps ({run.Steps}) overrides Umt:Run:Epochs ({run.Epochs}).");
        }
        var studentConfig = StudentConfigFrom(model);
        var student = new StudentSpec(studentConfig.Width, studentConfig.Depth, studentConfig.Heads, model.Frames, model.ImageSize, model.PatchSize, model.Tubelet);
        var launch = LaunchOf(distributed, launchOf());
        var deviceChoice = DeviceSelection.Resolve(run.Device, launch.LocalRank);
        var device = deviceChoice.Device;
        var context = new PluginContext(device, run.Seed, student, log, baseDirectory);

        var datasetChoice = Select(PluginKind.Dataset, umt.GetSection("Dataset"), errors, warnings);
        var teacherChoice = Select(PluginKind.Teacher, umt.GetSection("Teacher"), errors, warnings, allowNone: true);
        var maskingChoice = Select(PluginKind.Masking, umt.GetSection("Masking"), errors, warnings);
        var objectives = SelectObjectives(umt.GetSection("Objectives"), context, errors);
        var textEncoderChoice = Select(PluginKind.TextEncoder, umt.GetSection("TextEncoder"), errors, warnings, allowNone: true, optional: true);
        var imageDatasetChoice = Select(PluginKind.Dataset, umt.GetSection("ImageDataset"), errors, warnings, allowNone: true, optional: true);
        var imageMaskingChoice = Select(PluginKind.Masking, umt.GetSection("ImageMasking"), errors, warnings, optional: true) ?? maskingChoice;
        if (textEncoderChoice is not null && !objectives.Any(o => o.Traits.NeedsTextEncoder))
        {
            warnings.Add($"Umt:TextEncoder:Use = {textEncoderChoice.Entry.Name}, but no enabled objective needs a text encoder; it is not built.");
            textEncoderChoice = null;
        }

        DatasetInfo? datasetInfo = Describe(datasetChoice, errors, c => ((IVideoDatasetFactory)c.Entry.Factory).Describe(c.Options, context));
        TeacherTraits? teacherTraits = Describe(teacherChoice, errors, c => ((ITeacherFactory)c.Entry.Factory).Describe(c.Options, context));
        MaskingTraits? maskingTraits = Describe(maskingChoice, errors, c => ((IMaskingStrategyFactory)c.Entry.Factory).Describe(c.Options, context));
        TextEncoderTraits? textEncoderTraits = Describe(textEncoderChoice, errors, c => ((ITextEncoderFactory)c.Entry.Factory).Describe(c.Options, context));
        DatasetInfo? imageDatasetInfo = Describe(imageDatasetChoice, errors, c => ((IVideoDatasetFactory)c.Entry.Factory).Describe(c.Options, context));
        MaskingTraits? imageMaskingTraits = Describe(imageMaskingChoice, errors, c => ((IMaskingStrategyFactory)c.Entry.Factory).Describe(c.Options, context));
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        CompatibilityRules.Check(new CompatibilityInput(student, teacherChoice, teacherTraits, maskingChoice!, maskingTraits!, objectives, datasetChoice!, datasetInfo!,
            textEncoderChoice, imageDatasetChoice, imageDatasetInfo, imageMaskingChoice!, imageMaskingTraits!), errors);
        var schedule = TrainingSchedule.Resolve(run, optimizer, datasetInfo!.Count, imageDatasetInfo?.Count ?? 0, launch.WorldSize);
        string globalBatch = launch.WorldSize == 1
            ? $"Umt:Run:BatchSize × Umt:Optimizer:AccumulateSteps = {schedule.EffectiveBatch}"
            : $"Umt:Run:BatchSize × Umt:Optimizer:AccumulateSteps × {launch.WorldSize} processes = {schedule.EffectiveBatch}";
        if (run.Epochs is not null && datasetInfo.Count < schedule.EffectiveBatch)
        {
            errors.Add($"The global batch ({globalBatch}) exceeds the dataset's {datasetInfo.Count} samples, so an epoch has no full batch.");
        }
        if (imageDatasetInfo is not null && imageDatasetInfo.Count < schedule.EffectiveBatch)
        {
            errors.Add($"{imageDatasetChoice!.OptionsPath} has {imageDatasetInfo.Count} samples, fewer than one global batch ({globalBatch}), so no image batch would ever be drawn.");
        }
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        int k = objectives.Select(o => o.Traits.TeacherLayers).DefaultIfEmpty(0).Max();
        var streams = new List<StreamPlan> { new("video", "Umt:Dataset", datasetChoice!, datasetInfo, "Umt:Masking", maskingChoice!, maskingTraits!, student.Grid) };
        if (imageDatasetChoice is not null)
        {
            // An image is a one-frame clip through the same student: one token slot per image.
            streams.Add(new("image", "Umt:ImageDataset", imageDatasetChoice, imageDatasetInfo!, "Umt:ImageMasking", imageMaskingChoice!, imageMaskingTraits!,
                new TokenGrid(1, student.Grid.H, student.Grid.W)));
        }
        return new RunPlan
        {
            Configuration = configuration,
            BaseDirectory = baseDirectory,
            Run = run,
            Optimizer = optimizer,
            Model = model,
            Distributed = distributed,
            Launch = launch,
            Stage2 = stage2,
            Retrieval = retrieval,
            StudentConfig = studentConfig,
            Student = student,
            Device = device,
            DeviceReason = deviceChoice.Reason,
            Streams = streams,
            Teacher = teacherChoice,
            TeacherTraits = teacherTraits,
            Objectives = objectives,
            TextEncoder = textEncoderChoice,
            TextEncoderTraits = textEncoderTraits,
            StudentBlocks = objectives.SelectMany(o => o.Traits.StudentBlocks).Distinct().Order().ToArray(),
            TeacherLayers = teacherTraits is null || k == 0 ? [] : Enumerable.Range(teacherTraits.Depth - k, k).ToArray(),
            Schedule = schedule,
            Warnings = warnings,
        };
    }

    /// <summary>The launcher's view of the job; a multi-process launch needs a backend that connects the processes.</summary>
    private static LaunchEnvironment LaunchOf(DistributedOptions distributed, LaunchEnvironment launch)
    {
        if (distributed.Backend == "single" && launch.WorldSize > 1)
        {
            throw new ConfigurationException(
                $"Umt:Distributed:Backend = single, but {launch.Launcher} started this process as rank {launch.Rank} of {launch.WorldSize}: every process would train alone into the same folder. "
                + "Set Umt:Distributed:Backend = mpi (valid: single, mpi), or start one process.");
        }
        return launch;
    }

    private static void CheckTopLevel(IConfigurationSection umt, List<string> errors)
    {
        foreach (var child in umt.GetChildren())
        {
            if (!KnownSections.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                string? closest = NameSuggestions.Closest(child.Key, KnownSections);
                errors.Add($"{child.Path} is not a known section. Valid sections: {string.Join(", ", KnownSections)}." + (closest is null ? "" : $" Did you mean '{closest}'?"));
            }
        }
    }

    private static StudentConfig StudentConfigFrom(ModelOptions model)
    {
        var preset = StudentPresets.Get(model.Preset);
        return preset with
        {
            Width = model.Width ?? preset.Width,
            Depth = model.Depth ?? preset.Depth,
            Heads = model.Heads ?? preset.Heads,
            Frames = model.Frames,
            ImageSize = model.ImageSize,
            PatchSize = model.PatchSize,
            Tubelet = model.Tubelet,
            DropPath = model.DropPath,
        };
    }

    /// <summary>Resolves <c>Use</c> of a kind's section and binds <c>Options:&lt;name&gt;</c>.</summary>
    /// <param name="allowNone"><c>none</c> is a valid choice (no plugin of this kind).</param>
    /// <param name="optional">A missing <c>Use</c> means <c>none</c> (a kind only some runs need).</param>
    private SelectedPlugin? Select(PluginKind kind, IConfigurationSection section, List<string> errors, List<string> warnings, bool allowNone = false, bool optional = false)
    {
        foreach (var child in section.GetChildren())
        {
            if (child.Key is not ("Use" or "Options"))
            {
                errors.Add($"{child.Path} is not a known key. Valid keys here: Use, Options.");
            }
        }
        var available = catalog.Of(kind).Select(e => e.Name).Concat(allowNone ? [NoTeacher] : []).Order(StringComparer.Ordinal).ToArray();
        foreach (var options in section.GetSection("Options").GetChildren())
        {
            if (!available.Contains(options.Key, StringComparer.Ordinal))
            {
                warnings.Add($"{options.Path} names no known {kind.Noun()} (available: {string.Join(", ", available)}); its options are ignored.");
            }
        }
        string? use = section["Use"];
        if (optional && string.IsNullOrWhiteSpace(use))
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(use))
        {
            errors.Add($"{section.Path}:Use is required: choose a {kind.Noun()} from {string.Join(", ", available)}.");
            return null;
        }
        if (allowNone && use == NoTeacher)
        {
            return null;
        }
        if (catalog.Find(kind, use) is not { } entry)
        {
            errors.Add(catalog.FindBroken(kind, use) is { } broken
                ? $"{section.Path}:Use = {use}, but {broken.Describe()}"
                : UnknownName(kind, $"{section.Path}:Use", use, available));
            return null;
        }
        string optionsPath = $"{section.Path}:Options:{use}";
        int before = errors.Count;
        var bound = StrictOptionsBinder.Bind(section.GetSection("Options").GetSection(use), entry.Factory.OptionsType, errors);
        // Options that failed validation are not described: a factory would only add a confusing second error.
        return errors.Count == before ? new SelectedPlugin(entry, bound, optionsPath) : null;
    }

    private List<SelectedObjective> SelectObjectives(IConfigurationSection section, PluginContext context, List<string> errors)
    {
        var selected = new List<SelectedObjective>();
        var available = catalog.Of(PluginKind.Objective).Select(e => e.Name).ToArray();
        foreach (var child in section.GetChildren())
        {
            var entry = catalog.Find(PluginKind.Objective, child.Key);
            var broken = catalog.FindBroken(PluginKind.Objective, child.Key);
            if (entry is null && broken is null)
            {
                errors.Add(UnknownName(PluginKind.Objective, child.Path, child.Key, available));
                continue;
            }
            foreach (var key in child.GetChildren().Where(c => c.Key is not ("Weight" or "Options")))
            {
                errors.Add($"{key.Path} is not a known key. Valid keys here: Weight, Options.");
            }
            double weight = 0;
            if (child["Weight"] is { Length: > 0 } text && !double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out weight))
            {
                errors.Add($"{child.Path}:Weight must be a number, got '{text}'.");
                continue;
            }
            if (weight < 0 || double.IsNaN(weight) || double.IsInfinity(weight))
            {
                errors.Add($"{child.Path}:Weight must be ≥ 0 (0 turns the objective off), got {weight}.");
                continue;
            }
            if (weight == 0)
            {
                continue; // weight 0 = not constructed, its options stay as documentation
            }
            if (entry is null)
            {
                errors.Add($"{child.Path} is enabled (Weight > 0), but {broken!.Describe()}");
                continue;
            }
            string optionsPath = $"{child.Path}:Options";
            int before = errors.Count;
            var options = StrictOptionsBinder.Bind(child.GetSection("Options"), entry.Factory.OptionsType, errors);
            if (errors.Count == before)
            {
                var traits = ((IObjectiveFactory)entry.Factory).Describe(options, context);
                selected.Add(new SelectedObjective(entry, weight, options, optionsPath, traits));
            }
        }
        if (selected.Count == 0 && errors.Count == 0)
        {
            errors.Add($"{section.Path}: no objective has a Weight > 0; available objectives: {string.Join(", ", available)}.");
        }
        return selected;
    }

    private static T? Describe<T>(SelectedPlugin? choice, List<string> errors, Func<SelectedPlugin, T> describe) where T : class
    {
        if (choice is null)
        {
            return null;
        }
        try
        {
            return describe(choice);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            errors.Add($"{choice.OptionsPath}: {e.Message}");
            return null;
        }
    }

    /// <summary>"Unknown masking strategy 'tub' at Umt:Masking:Use. Available: random, semantic, tube. Did you mean 'tube'?"</summary>
    public static string UnknownName(PluginKind kind, string path, string name, IReadOnlyCollection<string> available)
    {
        string? closest = NameSuggestions.Closest(name, available);
        return $"{path}: unknown {kind.Noun()} '{name}'. Available: {string.Join(", ", available)}."
            + (closest is null ? "" : $" Did you mean '{closest}'?");
    }
}
