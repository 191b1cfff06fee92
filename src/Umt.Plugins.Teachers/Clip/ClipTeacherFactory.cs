using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Teachers;
using Umt.Models.Clip;

namespace Umt.Plugins.Teachers.Clip;

[ExportTeacher("clip", Description = "Frozen OpenAI CLIP vision tower (B/16, L/14 or custom) from OpenAI, UMT-stripped or HuggingFace weights."), Shared]
internal sealed class ClipTeacherFactory : TeacherFactory<ClipTeacherOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public ClipTeacherFactory()
    {
    }

    protected override TeacherTraits Describe(ClipTeacherOptions options, PluginContext context) => Resolve(options, context).Traits;

    protected override ITeacher Create(ClipTeacherOptions options, PluginContext context) => new ClipTeacher(Resolve(options, context), context);

    private static ClipTeacherSpec Resolve(ClipTeacherOptions options, PluginContext context)
    {
        var preset = options.Preset switch
        {
            "b16" => ClipVisionConfig.B16,
            "l14" => ClipVisionConfig.L14,
            _ => null,
        };
        return ClipTeacherSpec.Resolve(context.ResolvePath(options.Weights!), preset, options.Heads, options.InputResolution, options.Precision, context);
    }
}
