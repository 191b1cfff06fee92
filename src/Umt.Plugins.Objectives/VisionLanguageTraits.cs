using Umt.Abstractions.Geometry;
using Umt.Abstractions.Objectives;

namespace Umt.Plugins.Objectives;

/// <summary>What every caption objective declares: the student's last block, captions and a text encoder.</summary>
internal static class VisionLanguageTraits
{
    /// <summary>
    /// The last block is the one whose normed output is the reference's <c>vision_embeds</c>: it is
    /// pooled for the projections and it is what the fusion layers attend to.
    /// </summary>
    public static ObjectiveTraits Of(StudentSpec student) =>
        new(StudentBlocks: [student.Depth - 1], NeedsCaptions: true, NeedsTextEncoder: true);

    /// <summary>The step's shared stage-2 tensors, or an error naming the objective when the runner passed none.</summary>
    public static VisionLanguageContext Require(ObjectiveContext context, string objective) =>
        context.VisionLanguage ?? throw new InvalidOperationException($"{objective} needs the vision-language context of a run with a text encoder; the runner passed none.");
}
