using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Teachers;
using Umt.Plugins.Teachers.Clip;

namespace Umt.Plugins.Teachers.TinyClip;

[ExportTeacher("tiny-clip", Description = "The embedded default's tiny CLIP teacher (width 128, 6 layers, patch 8 at 64²), trained on synthetic images and shipped."), Shared]
internal sealed class TinyClipTeacherFactory : TeacherFactory<TinyClipOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public TinyClipTeacherFactory()
    {
    }

    protected override TeacherTraits Describe(TinyClipOptions options, PluginContext context) => Resolve(options, context).Traits;

    protected override ITeacher Create(TinyClipOptions options, PluginContext context) => new ClipTeacher(Resolve(options, context), context);

    private static ClipTeacherSpec Resolve(TinyClipOptions options, PluginContext context) =>
        ClipTeacherSpec.Resolve(context.ResolvePath(options.Weights), preset: null, heads: null, options.InputResolution, options.Precision, context);
}
