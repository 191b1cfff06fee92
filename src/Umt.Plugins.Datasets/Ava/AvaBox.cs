namespace Umt.Plugins.Datasets.Ava;

/// <summary>
/// One row of an AVA CSV: a person box on a key frame with one action. A person doing three
/// actions is three rows with the same box, as in the official files.
/// </summary>
/// <param name="X1">Left edge, normalised to the frame width (0–1).</param>
/// <param name="Y1">Top edge, normalised to the frame height.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
/// <param name="ActionId">The action's id in the label map (1-based, as AVA numbers them); 0 for a person detector's box, which has none.</param>
/// <param name="PersonId">The person's track id within the clip (annotations); null in detections.</param>
/// <param name="Score">The detection's confidence; 1 for annotations, as the official evaluation reads them.</param>
/// <param name="Line">1-based line of the row, for messages.</param>
public sealed record AvaBox(AvaKeyFrame KeyFrame, double X1, double Y1, double X2, double Y2, int ActionId, int? PersonId, double Score, int Line);
