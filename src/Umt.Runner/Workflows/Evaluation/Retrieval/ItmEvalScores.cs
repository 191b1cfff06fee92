namespace Umt.Runner.Workflows.Evaluation.Retrieval;

/// <summary>
/// The summary the reference prints for a ranking (multi_modality/tasks/retrieval_utils.py <c>itm_eval</c>),
/// so a run compares with the papers' tables: <c>txt_r*</c> is text retrieval (video→text), <c>img_r*</c>
/// video retrieval (text→video), each mean the mean of its R@1, R@5 and R@10, and <see cref="RMean"/> the mean
/// of the two means. Fractions in [0, 1] like <see cref="RetrievalScores"/>, where the reference prints percent
/// rounded to two decimals.
/// </summary>
public sealed record ItmEvalScores(double TxtR1, double TxtR5, double TxtR10, double TxtRMean, double ImgR1, double ImgR5, double ImgR10, double ImgRMean, double RMean)
{
    public static ItmEvalScores Of(RetrievalScores textToVideo, RetrievalScores videoToText)
    {
        ArgumentNullException.ThrowIfNull(textToVideo);
        ArgumentNullException.ThrowIfNull(videoToText);
        double txt = (videoToText.R1 + videoToText.R5 + videoToText.R10) / 3;
        double img = (textToVideo.R1 + textToVideo.R5 + textToVideo.R10) / 3;
        return new ItmEvalScores(videoToText.R1, videoToText.R5, videoToText.R10, txt, textToVideo.R1, textToVideo.R5, textToVideo.R10, img, (txt + img) / 2);
    }
}
