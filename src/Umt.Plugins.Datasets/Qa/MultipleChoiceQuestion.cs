namespace Umt.Plugins.Datasets.Qa;

/// <summary>
/// One multiple-choice question of the reference's MSRVTT-MC test file (multi_modality
/// dataset/caption_dataset.py <c>VidTxtRetMCEvalDataset</c>): a video, its candidate texts
/// (cleaned as the reference's <c>pre_text</c>) and the index of the right one.
/// </summary>
/// <param name="Entry">1-based position of the element in the file's array.</param>
/// <param name="Video">The <c>video</c> field as written (relative to the media root).</param>
/// <param name="Candidates">The <c>caption</c> list, cleaned; at least two.</param>
/// <param name="Answer">Index of the right candidate.</param>
public sealed record MultipleChoiceQuestion(int Entry, string Video, IReadOnlyList<string> Candidates, int Answer);
