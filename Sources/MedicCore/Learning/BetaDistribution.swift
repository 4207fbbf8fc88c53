#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Beta(α, β) distribution: the posterior of a success probability after α - 1 successes and
/// β - 1 failures under a uniform prior. Pure numerics, no I/O.
public struct BetaDistribution: Sendable, Equatable {
    public var alpha: Double
    public var beta: Double

    public init(alpha: Double, beta: Double) {
        precondition(alpha > 0 && beta > 0, "Beta parameters must be positive")
        self.alpha = alpha
        self.beta = beta
    }

    /// The posterior after `successes` and `failures` under the uniform Beta(1, 1) prior.
    public init(successes: Int, failures: Int) {
        self.init(alpha: Double(successes) + 1, beta: Double(failures) + 1)
    }

    public var mean: Double { alpha / (alpha + beta) }

    /// P(X ≤ x): the regularised incomplete beta function I_x(α, β).
    public func cdf(_ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(alpha + beta) - lgamma(alpha) - lgamma(beta) + alpha * log(x) + beta * log1p(-x)
        let front = exp(logFront)
        // The continued fraction converges fast for x below the mean; use the symmetry above it.
        if x < (alpha + 1) / (alpha + beta + 2) {
            return front * Self.continuedFraction(x, alpha, beta) / alpha
        }
        return 1 - front * Self.continuedFraction(1 - x, beta, alpha) / beta
    }

    /// The x with P(X ≤ x) = p, by bisection (the cdf is monotonic): accurate to about 1e-12.
    public func quantile(_ p: Double) -> Double {
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        var low = 0.0
        var high = 1.0
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if cdf(middle) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// The continued fraction of the incomplete beta function, by the modified Lentz method.
    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...300 {
            let m = Double(m)
            // Even step.
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            // Odd step.
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return result
    }
}
