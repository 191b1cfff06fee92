using Umt.Abstractions.Composition;
using Umt.Abstractions.Teachers;
using Umt.Models.Clip;

namespace Umt.Plugins.Teachers.Clip;

/// <summary>
/// A CLIP teacher resolved against its weight file and the run's student: architecture, input
/// resolution and precision (<c>auto</c> resolved for the run's device). Shared by <c>clip</c> and <c>tiny-clip</c>, which differ only in
/// their defaults.
/// </summary>
internal sealed record ClipTeacherSpec(string WeightsPath, ClipVisionConfig Config, int InputResolution, TeacherPrecision Precision)
{
    /// <summary>Tokens per side of one frame the teacher yields.</summary>
    public int GridSide => InputResolution / Config.PatchSize;

    public TeacherTraits Traits => new(Config.Layers, GridSide, Config.OutputWidth, ReturnsAttention: true);

    /// <summary>
    /// Reads the file's shapes, infers the architecture and checks it against the preset.
    /// </summary>
    /// <param name="preset">The expected architecture, or null to accept what the file holds.</param>
    /// <exception cref="InvalidDataException">The file is not the preset's tower.</exception>
    /// <exception cref="ArgumentException">The heads do not divide the tower's width, or the resolution is not a multiple of the patch.</exception>
    public static ClipTeacherSpec Resolve(string weightsPath, ClipVisionConfig? preset, int? heads, int? inputResolution, string precision, PluginContext context)
    {
        var inferred = ClipVisionConfig.Infer(ClipVisionWeights.ReadShapes(weightsPath), heads ?? preset?.Heads);
        if (preset is not null && inferred != preset)
        {
            throw new InvalidDataException($"'{weightsPath}' holds a CLIP tower {Describe(inferred)}, not the preset's {Describe(preset)}; set Preset to 'custom' to use it.");
        }
        if (inferred.Width % inferred.Heads != 0)
        {
            var valid = Enumerable.Range(1, inferred.Width).Where(h => inferred.Width % h == 0);
            throw new ArgumentException($"Heads {inferred.Heads} ({(heads is null ? "OpenAI's width / 64 rule" : "the Heads option")}) does not divide the width {inferred.Width} "
                + $"of the CLIP tower in '{weightsPath}'; set Heads to a count that does: {string.Join(", ", valid)}.");
        }
        int studentGrid = context.Student.ImageSize / context.Student.PatchSize;
        int resolution = inputResolution ?? studentGrid * inferred.PatchSize;
        if (resolution % inferred.PatchSize != 0)
        {
            throw new ArgumentException($"InputResolution {resolution} is not a multiple of the teacher's patch {inferred.PatchSize}.");
        }
        return new ClipTeacherSpec(weightsPath, inferred, resolution, TeacherPrecision.Resolve(precision, context.Device.type));
    }

    private static string Describe(ClipVisionConfig c) =>
        $"(width {c.Width}, {c.Layers} layers, {c.Heads} heads, patch {c.PatchSize}, {c.GridSide}×{c.GridSide} positions, output {c.OutputWidth})";
}
