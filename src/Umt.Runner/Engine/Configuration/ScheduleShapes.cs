namespace Umt.Runner.Engine.Configuration;

/// <summary>Values of <c>Umt:Optimizer:Schedule</c>: the warm-up and decay curve of the learning rate.</summary>
public static class ScheduleShapes
{
    /// <summary>single_modality/utils.py cosine_scheduler: linspace warm-up, cosine rescaled onto [MinLr, peak].</summary>
    public const string Cosine = "cosine";

    /// <summary>multi_modality/utils/scheduler.py: step/W warm-up and cosine towards 0, both clipped at MinLr.</summary>
    public const string FlooredCosine = "floored-cosine";
}
