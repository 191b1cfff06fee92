using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.TextEncoders;
using Umt.Models.VisionLanguage;
using static TorchSharp.torch;

namespace Umt.Plugin.Testing;

/// <summary>What the harness runs the plugins with; the defaults suit any plugin that takes defaults.</summary>
public sealed record ContractSettings
{
    /// <summary>A small student: 4 frames of 16², patch 4 → 4 × 4 × 4 = 64 tokens.</summary>
    public StudentSpec Student { get; init; } = new(Width: 32, Depth: 2, Heads: 2, Frames: 4, ImageSize: 16, PatchSize: 4, Tubelet: 1);

    /// <summary>Datasets render real frames: 4 frames of 32².</summary>
    public StudentSpec DatasetStudent { get; init; } = new(Width: 32, Depth: 2, Heads: 2, Frames: 4, ImageSize: 32, PatchSize: 8, Tubelet: 1);

    /// <summary>Folder relative paths in options resolve against.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>
    /// Adjusts a plugin's default options before the checks (a dataset of files has no usable
    /// default manifest: point it at real files of its format). Returns the options to use.
    /// </summary>
    public Func<PluginExport, object, object> Configure { get; init; } = (_, options) => options;

    /// <summary>
    /// The stage-2 encoding a caption objective reads (the runner's: text encoder, then the shared
    /// projections of the student's visible tokens). Needed only to check objectives whose traits
    /// say <see cref="ObjectiveTraits.NeedsTextEncoder"/>.
    /// </summary>
    public Func<ITextEncoder, VisionLanguageHeads, VideoBatch, Tensor, TokenGrid, VisionLanguageContext>? VisionLanguage { get; init; }

    internal PluginContext Context(StudentSpec student) => new(CPU, 0, student, Serilog.Core.Logger.None, BaseDirectory);
}
