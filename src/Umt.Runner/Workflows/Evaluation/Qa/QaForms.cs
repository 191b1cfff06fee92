namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>The two forms of video QA the reference fine-tunes and evaluates.</summary>
public static class QaForms
{
    /// <summary>Candidates scored by the matching head and contrastive similarity (retrieval_mc.py, MSRVTT-MC).</summary>
    public const string MultipleChoice = "multiple-choice";

    /// <summary>An answer decoder ranking a fixed answer list (umt_qa.py, MSRVTT-QA, ActivityNet-QA).</summary>
    public const string OpenEnded = "open-ended";
}
