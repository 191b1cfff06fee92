using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Teachers;

namespace Umt.Runner.Composition;

/// <summary>What the cross-plugin rules look at.</summary>
public sealed record CompatibilityInput(
    StudentSpec Student,
    SelectedPlugin? Teacher,
    TeacherTraits? TeacherTraits,
    SelectedPlugin Masking,
    MaskingTraits MaskingTraits,
    IReadOnlyList<SelectedObjective> Objectives,
    SelectedPlugin Dataset,
    DatasetInfo DatasetInfo);

/// <summary>
/// The cross-plugin rules of architecture.md, checked before any tensor is allocated. Each
/// failure names both configuration paths involved, so the fix is obvious. These turn the
/// reference's implicit couplings (semantic masking silently needing `--clip_return_attn`) into
/// named errors.
/// </summary>
public static class CompatibilityRules
{
    private const string TeacherUse = "Umt:Teacher:Use";

    public static void Check(CompatibilityInput input, List<string> errors)
    {
        if (input.DatasetInfo.Frames != input.Student.Frames)
        {
            errors.Add($"The dataset '{input.Dataset.Entry.Name}' ({input.Dataset.OptionsPath}) yields {input.DatasetInfo.Frames}-frame samples, "
                + $"the student takes {input.Student.Frames} (Umt:Model:Frames).");
        }
        CheckObjectives(input, errors);
        CheckMasking(input, errors);
        CheckTeacherGrid(input, errors);
    }

    private static void CheckObjectives(CompatibilityInput input, List<string> errors)
    {
        foreach (var objective in input.Objectives)
        {
            string name = objective.Entry.Name;
            var traits = objective.Traits;
            if (traits.NeedsTeacher && input.Teacher is null)
            {
                errors.Add($"Umt:Objectives:{name} needs a teacher, but {TeacherUse} is '{RunPlanner.NoTeacher}'. Choose a teacher or set Umt:Objectives:{name}:Weight to 0.");
            }
            string kPath = traits.TeacherLayersOption is null ? $"Umt:Objectives:{name}" : $"{objective.OptionsPath}:{traits.TeacherLayersOption}";
            if (traits.TeacherLayers > input.Student.Depth)
            {
                errors.Add($"{kPath} = {traits.TeacherLayers} exceeds the student's depth {input.Student.Depth} (Umt:Model:Preset / Umt:Model:Depth).");
            }
            if (input.TeacherTraits is { } teacher && traits.TeacherLayers > teacher.Depth)
            {
                errors.Add($"{kPath} = {traits.TeacherLayers} exceeds the depth {teacher.Depth} of the teacher '{input.Teacher!.Entry.Name}' ({TeacherUse}).");
            }
            if (traits.StudentBlocks.Any(b => b < 0 || b >= input.Student.Depth))
            {
                errors.Add($"Umt:Objectives:{name} asks for student blocks {string.Join(", ", traits.StudentBlocks)} outside the student's {input.Student.Depth} blocks (Umt:Model:Depth).");
            }
            if (traits.NeedsCaptions && !input.DatasetInfo.HasCaptions)
            {
                errors.Add($"Umt:Objectives:{name} needs captions, but the dataset '{input.Dataset.Entry.Name}' (Umt:Dataset:Use) has none.");
            }
            if (traits.NeedsTextEncoder)
            {
                errors.Add($"Umt:Objectives:{name} needs a text encoder (Umt:TextEncoder:Use), and this build has no text-encoder plugins yet.");
            }
        }
    }

    private static void CheckMasking(CompatibilityInput input, List<string> errors)
    {
        string use = $"Umt:Masking:Use = {input.Masking.Entry.Name}";
        if (input.MaskingTraits.NeedsTeacherAttention)
        {
            if (input.Teacher is null)
            {
                errors.Add($"{use} needs teacher attention, but {TeacherUse} is '{RunPlanner.NoTeacher}'.");
            }
            else if (input.TeacherTraits is { ReturnsAttention: false })
            {
                errors.Add($"{use} needs teacher attention, and the teacher '{input.Teacher.Entry.Name}' ({TeacherUse}) returns none.");
            }
        }
        if (input.MaskingTraits.NeedsTubeletOne && input.Student.Tubelet != 1)
        {
            errors.Add($"{use} works per frame and needs Umt:Model:Tubelet = 1, got {input.Student.Tubelet}.");
        }
        int visible = input.MaskingTraits.VisiblePerClip(input.Student.Grid);
        if (visible < 1)
        {
            errors.Add($"{input.Masking.OptionsPath} leaves no visible token on the {input.Student.Grid} grid (Umt:Model); lower the ratio.");
        }
    }

    private static void CheckTeacherGrid(CompatibilityInput input, List<string> errors)
    {
        if (input.TeacherTraits is not { } teacher)
        {
            return;
        }
        int studentSide = input.Student.ImageSize / input.Student.PatchSize;
        if (teacher.GridSide != studentSide)
        {
            errors.Add($"The teacher '{input.Teacher!.Entry.Name}' ({input.Teacher.OptionsPath}) yields {teacher.GridSide}×{teacher.GridSide} tokens per frame, "
                + $"the student {studentSide}×{studentSide} (Umt:Model:ImageSize / Umt:Model:PatchSize); they must match token for token.");
        }
    }
}
