using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Objectives;
using Umt.Models.Alignment;

namespace Umt.Plugins.Objectives.UmtAlignment;

[ExportObjective("umt-alignment", Description = "UMT unmasked token alignment: the student's last K blocks regress the teacher's last K blocks on the visible tokens (2 − 2cos)."), Shared]
internal sealed class UmtAlignmentFactory : ObjectiveFactory<UmtAlignmentOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public UmtAlignmentFactory()
    {
    }

    protected override ObjectiveTraits Describe(UmtAlignmentOptions options, StudentSpec student)
    {
        int k = Layers(options, student);
        return new ObjectiveTraits(
            StudentBlocks: AlignedBlocks(k, student),
            NeedsTeacher: true,
            TeacherLayers: k,
            TeacherLayersOption: nameof(UmtAlignmentOptions.Layers));
    }

    protected override IObjective Create(UmtAlignmentOptions options, PluginContext context, int? teacherWidth)
    {
        var student = context.Student;
        int k = Layers(options, student);
        var heads = new AlignmentHeads(k, student.Width, teacherWidth ?? throw new InvalidOperationException("umt-alignment needs a teacher."), student.Grid.Count);
        return new UmtAlignmentObjective(heads, AlignedBlocks(k, student));
    }

    /// <summary>K: the option, or half the student's depth (6 for B/16, as the reference scripts).</summary>
    private static int Layers(UmtAlignmentOptions options, StudentSpec student) => options.Layers ?? Math.Max(1, student.Depth / 2);

    /// <summary>
    /// The student's last K blocks, ascending (reference <c>return_index</c>: B/16 blocks 6..11).
    /// Blocks below 0 (K deeper than the student) are kept so validation can name the option.
    /// </summary>
    private static int[] AlignedBlocks(int k, StudentSpec student) => Enumerable.Range(student.Depth - k, k).ToArray();
}
