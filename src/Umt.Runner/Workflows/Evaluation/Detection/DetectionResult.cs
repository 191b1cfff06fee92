namespace Umt.Runner.Workflows.Evaluation.Detection;

/// <summary>Frame-level AP of one action class at IoU 0.5.</summary>
/// <param name="Ap">Null where the class has no ground-truth box (left out of the mean, as the official evaluation does).</param>
/// <param name="Positives">Ground-truth boxes of the class on evaluated key frames.</param>
/// <param name="Detections">Detections of the class that were scored.</param>
/// <param name="TruePositives">Of those, the ones matched to a ground-truth box.</param>
public sealed record ClassAveragePrecision(int Id, string Name, double? Ap, int Positives, int Detections, int TruePositives);

/// <summary>What <c>umt eval detection</c> reports.</summary>
/// <param name="MeanAp">Mean of the classes' AP over the classes with ground truth; null if none has any.</param>
/// <param name="GroundTruthKeyFrames">Key frames with ground truth that were evaluated.</param>
/// <param name="DetectionKeyFrames">Key frames with detections that were evaluated.</param>
/// <param name="ExcludedKeyFrames">Key frames of either file dropped by the excluded timestamps.</param>
/// <param name="OutsideLabelMap">Rows of either file whose action is not in the label map (skipped).</param>
/// <param name="OverCapacity">Detections beyond the 50 best of a key frame (dropped, as the official evaluation does).</param>
/// <param name="InvalidDetections">Detections with x2 ≤ x1 or y2 ≤ y1 (dropped, as the official evaluation does).</param>
public sealed record DetectionResult(
    double IouThreshold,
    double? MeanAp,
    IReadOnlyList<ClassAveragePrecision> Classes,
    int GroundTruthKeyFrames,
    int DetectionKeyFrames,
    int ExcludedKeyFrames,
    int OutsideLabelMap,
    int OverCapacity,
    int InvalidDetections);
