namespace CostTracking;

/// <summary>Where a multi-step session stands.</summary>
public enum SessionStatus
{
    /// <summary>The session is open and accepts steps.</summary>
    InProgress = 0,

    /// <summary>The workflow finished (for example a search ended with a Place Details call).</summary>
    Completed = 1,

    /// <summary>The workflow was given up before it finished.</summary>
    Abandoned = 2,
}
