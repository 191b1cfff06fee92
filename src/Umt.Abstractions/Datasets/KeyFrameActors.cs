namespace Umt.Abstractions.Datasets;

/// <summary>
/// One actor box on a clip's key frame (AVA's unit of action detection): a person, or
/// SyntheticActions' main object.
/// </summary>
/// <param name="X1">Left edge, normalised to the frame width (0–1).</param>
/// <param name="Y1">Top edge, normalised to the frame height.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
/// <param name="Score">The box detector's confidence; 1 for a ground-truth box.</param>
/// <param name="ActionIds">The actions the actor does, as label-map ids (AVA's 1-based ids); empty for a detected box.</param>
public sealed record ActorBox(float X1, float Y1, float X2, float Y2, float Score, IReadOnlyList<int> ActionIds);

/// <summary>
/// The actors of a clip centred on a key frame, for action detection: the ground truth, and the
/// detected boxes to classify at test time where the dataset was given a detections file.
/// </summary>
/// <param name="VideoId">The video the key frame belongs to, as the annotation CSVs name it.</param>
/// <param name="Timestamp">The key frame's second (AVA's 1 Hz key frames; 0 for a generated clip, which has no clock).</param>
/// <param name="GroundTruth">Annotated boxes with their actions (empty where a key frame has none).</param>
/// <param name="Detections">Detected boxes with scores and no actions, or null where no detections file was given.</param>
public sealed record KeyFrameActors(string VideoId, int Timestamp, IReadOnlyList<ActorBox> GroundTruth, IReadOnlyList<ActorBox>? Detections = null);
