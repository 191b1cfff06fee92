using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Teachers;

namespace Umt.Runner.Engine.Composition;

/// <summary>What the cross-plugin rules look at.</summary>
public sealed record CompatibilityInput(
    StudentSpec Student,
    SelectedPlugin? Teacher,
    TeacherTraits? TeacherTraits,
    SelectedPlugin Masking,
    MaskingTraits MaskingTraits,
    IReadOnlyList<SelectedObjective> Objectives,
    SelectedPlugin Dataset,
    DatasetInfo DatasetInfo,
    SelectedPlugin? TextEncoder,
    SelectedPlugin? ImageDataset,
    DatasetInfo? ImageDatasetInfo,
    SelectedPlugin ImageMasking,
    MaskingTraits ImageMaskingTraits);

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
        CheckMasking(input, input.Masking, input.MaskingTraits, "Umt:Masking:Use", input.Student.Grid, errors);
        CheckTeacherGrid(input, errors);
        CheckImages(input, errors);
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
            if (traits.NeedsCaptions && input.ImageDatasetInfo is { HasCaptions: false })
            {
                errors.Add($"Umt:Objectives:{name} needs captions, but the image dataset '{input.ImageDataset!.Entry.Name}' (Umt:ImageDataset:Use) has none.");
            }
            if (traits.NeedsTextEncoder && input.TextEncoder is null)
            {
                errors.Add($"Umt:Objectives:{name} needs a text encoder, but Umt:TextEncoder:Use is '{RunPlanner.NoTeacher}' or absent. Choose one (e.g. minilm, bert) or set Umt:Objectives:{name}:Weight to 0.");
            }
        }
    }

    private static void CheckMasking(CompatibilityInput input, SelectedPlugin masking, MaskingTraits traits, string usePath, TokenGrid grid, List<string> errors)
    {
        string use = $"{usePath} = {masking.Entry.Name}";
        if (traits.NeedsTeacherAttention)
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
        if (traits.NeedsTubeletOne && input.Student.Tubelet != 1)
        {
            errors.Add($"{use} works per frame and needs Umt:Model:Tubelet = 1, got {input.Student.Tubelet}.");
        }
        if (traits.VisiblePerClip(grid) < 1)
        {
            errors.Add($"{masking.OptionsPath} leaves no visible token on the {grid} grid (Umt:Model); lower the ratio.");
        }
    }

    /// <summary>Image batches are one-frame clips through the same student: one token slot per image.</summary>
    private static void CheckImages(CompatibilityInput input, List<string> errors)
    {
        if (input.ImageDataset is not { } images || input.ImageDatasetInfo is not { } info)
        {
            return;
        }
        if (info.Frames != 1)
        {
            errors.Add($"The image dataset '{images.Entry.Name}' ({images.OptionsPath}) yields {info.Frames}-frame samples; Umt:ImageDataset needs images (1 frame, e.g. synthetic with Images = true).");
        }
        if (input.Student.Tubelet != 1)
        {
            errors.Add($"Umt:ImageDataset needs Umt:Model:Tubelet = 1 (an image is one frame), got {input.Student.Tubelet}.");
            return;
        }
        var grid = new TokenGrid(1, input.Student.Grid.H, input.Student.Grid.W);
        CheckMasking(input, input.ImageMasking, input.ImageMaskingTraits, "Umt:ImageMasking:Use", grid, errors);
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
