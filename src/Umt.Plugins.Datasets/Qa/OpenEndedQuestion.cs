namespace Umt.Plugins.Datasets.Qa;

/// <summary>
/// One open-ended question of the reference's QA files (MSRVTT-QA, ActivityNet-QA as
/// multi_modality dataset/qa_dataset.py <c>VideoQADataset</c> reads them).
/// </summary>
/// <param name="Entry">1-based position of the element in the file's array.</param>
/// <param name="Video">The <c>video</c> field as written (relative to the media root).</param>
/// <param name="Question">The <c>question</c>, cleaned as the reference's <c>pre_text</c>.</param>
/// <param name="Answers">The <c>answer</c> (a string, or a list of annotators' answers), as written: the reference compares answers uncleaned.</param>
/// <param name="QuestionId">The <c>question_id</c> (the reference's key of a prediction), or the entry number when the file has none.</param>
public sealed record OpenEndedQuestion(int Entry, string Video, string Question, IReadOnlyList<string> Answers, string QuestionId);
