using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Objectives;
using Umt.Models.Alignment;

namespace Umt.Plugins.Objectives.UmtAlignment;

[ExportObjective("umt-alignment", Description = "UMT unmasked token alignment: the student's last K blocks regress the teacher's last K blocks on the visible tokens (2 − 2cos)."), Shared]
internal sealed class UmtAlignmentFactory : ObjectiveFactory<UmtAlignmentOptions>
{
    /// <summary>The published recipes' K.</summary>
    private const int PublishedLayers = 6;

    /// <summary>The shallowest published student (B/16).</summary>
    private const int PublishedMinDepth = 12;

    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public UmtAlignmentFactory()
    {
    }

    protected override ObjectiveTraits Describe(UmtAlignmentOptions options, PluginContext context)
    {
        int k = Layers(options, context.Student);
        return new ObjectiveTraits(
            StudentBlocks: AlignedBlocks(k, context.Student),
            NeedsTeacher: true,
            TeacherLayers: k,
            TeacherLayersOption: nameof(UmtAlignmentOptions.Layers));
    }

    protected override IObjective Create(UmtAlignmentOptions options, PluginContext context, int? teacherWidth)
    {
        var student = context.Student;
        int k = Layers(options, student);
        // A text encoder makes this a stage-2 run, whose heads are multi_modality's (LinearDecoder).
        double epsilon = context.TextEncoder is null ? LinearDecoder.Stage1Epsilon : LinearDecoder.Stage2Epsilon;
        var heads = new AlignmentHeads(k, student.Width, teacherWidth ?? throw new InvalidOperationException("umt-alignment needs a teacher."), student.Grid.Count, epsilon);
        return new UmtAlignmentObjective(heads, AlignedBlocks(k, student));
    }

    /// <summary>
    /// K: the option, or <see cref="PublishedLayers"/> for a student of at least
    /// <see cref="PublishedMinDepth"/> blocks (B/16 and L/16 alike: <c>clip_return_layer=6</c> in every
    /// published recipe, single_modality/exp/*/ and multi_modality/exp/pretraining/*.py), half its depth below.
    /// </summary>
    private static int Layers(UmtAlignmentOptions options, StudentSpec student) =>
        options.Layers ?? (student.Depth >= PublishedMinDepth ? PublishedLayers : Math.Max(1, student.Depth / 2));


    /// <summary>
    /// The student's last K blocks, ascending (reference <c>return_index</c>: B/16 blocks 6..11).
    /// Blocks below 0 (K deeper than the student) are kept so validation can name the option.
    /// </summary>
    private static int[] AlignedBlocks(int k, StudentSpec student) => Enumerable.Range(student.Depth - k, k).ToArray();
}
