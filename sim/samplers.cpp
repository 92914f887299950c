#include "sim/simd_clones.h"
#include "sim/samplers.h"
#include "sim/vector_math.h"

#include <algorithm>
#include <array>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cassert>
#include <cmath>
#include <limits>
#include <type_traits>

namespace plansim::sim {
namespace {

using rules::Distribution;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kMaxArity = 3;

// Poisson means below this are drawn by inversion of uniform i, at or above
// it by PTRS (whose constants were fitted for lambda >= 10).
constexpr double kPoissonInversionLimit = 10.0;

// ---------------------------------------------------------------------------
// Normal quantile: Wichura, "Algorithm AS 241: The percentage points of the
// normal distribution", Applied Statistics 37 (1988) 477-484, PPND16.
// Three rational approximations of degree 7/7:
//   |p - 0.5| <= 0.425: z = q * A(r) / B(r), q = p - 0.5, r = 0.180625 - q^2;
//   else r = sqrt(-log(min(p, 1 - p))),
//     r <= 5: z = C(r - 1.6) / D(r - 1.6),
//     r > 5:  z = E(r - 5) / F(r - 5),
//   with the sign of q. Relative accuracy about 1e-16.

constexpr double kSplitCentral = 0.425;
constexpr double kSplitTail = 5.0;
constexpr double kCentralConst = 0.180625;
constexpr double kIntermediateShift = 1.6;

constexpr std::array<double, 8> kA = {3.3871328727963666080e0,  1.3314166789178437745e+2,
                                      1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                      4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                      3.3430575583588128105e+4, 2.5090809287301226727e+3};
constexpr std::array<double, 8> kB = {1.0,
                                      4.2313330701600911252e+1,
                                      6.8718700749205790830e+2,
                                      5.3941960214247511077e+3,
                                      2.1213794301586595867e+4,
                                      3.9307895800092710610e+4,
                                      2.8729085735721942674e+4,
                                      5.2264952788528545610e+3};
constexpr std::array<double, 8> kC = {1.42343711074968357734e0,  4.63033784615654529590e0,
                                      5.76949722146069140550e0,  3.64784832476320460504e0,
                                      1.27045825245236838258e0,  2.41780725177450611770e-1,
                                      2.27238449892691845833e-2, 7.74545014278341407640e-4};
constexpr std::array<double, 8> kD = {1.0,
                                      2.05319162663775882187e0,
                                      1.67638483018380384940e0,
                                      6.89767334985100004550e-1,
                                      1.48103976427480074590e-1,
                                      1.51986665636164571966e-2,
                                      5.47593808499534494600e-4,
                                      1.05075007164441684324e-9};
constexpr std::array<double, 8> kE = {6.65790464350110377720e0,  5.46378491116411436990e0,
                                      1.78482653991729133580e0,  2.96560571828504891230e-1,
                                      2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                      2.71155556874348757815e-5, 2.01033439929228813265e-7};
constexpr std::array<double, 8> kF = {1.0,
                                      5.99832206555887937690e-1,
                                      1.36929880922735805310e-1,
                                      1.48753612908506148525e-2,
                                      7.86869131145613259100e-4,
                                      1.84631831751005468180e-5,
                                      1.42151175831644588870e-7,
                                      2.04426310338993978564e-15};

// Horner's rule, highest coefficient first, as in the published algorithm.
inline double horner7(const std::array<double, 8>& c, double x) {
  return (((((((c[7] * x + c[6]) * x + c[5]) * x + c[4]) * x + c[3]) * x + c[2]) * x + c[1]) * x +
          c[0]);
}

// Central region; branch-free so that a loop over it vectorises.
inline double quantile_central(double q) {
  const double r = kCentralConst - q * q;
  return q * horner7(kA, r) / horner7(kB, r);
}

// Both tails, for |q| > 0.425 (p is q + 0.5, passed to avoid recomputing
// 1 - p): r = sqrt(-log(min(p, 1 - p))). Branch-free, with a log that
// vectorises, so that a loop over tail elements compiles to SIMD.
inline double tail_r(double q, double p) { return std::sqrt(-vector_log_positive(q < 0.0 ? p : 1.0 - p)); }

inline double with_sign_of(double q, double z) { return q < 0.0 ? -z : z; }

// r <= 5, i.e. min(p, 1 - p) >= exp(-25), about 1.4e-11.
inline double quantile_near_tail(double q, double r) {
  return with_sign_of(q, horner7(kC, r - kIntermediateShift) / horner7(kD, r - kIntermediateShift));
}

// r > 5: one draw in about 3.6e10.
inline double quantile_far_tail(double q, double r) {
  return with_sign_of(q, horner7(kE, r - kSplitTail) / horner7(kF, r - kSplitTail));
}

inline double quantile_tail(double q, double p) {
  const double r = tail_r(q, p);
  return r <= kSplitTail ? quantile_near_tail(q, r) : quantile_far_tail(q, r);
}

// As in random_stream.cpp: on x86-64 GCC also compiles this for AVX2 and
// picks the clone at load time (4 lanes instead of 2 in the central pass).
// AVX2 does not bring FMA, so both clones do the same IEEE operations in the
// same order and give the same bits (a test compares them with the scalar
// normal_quantile).

// z[i] = normal_quantile(u[i]) for u in (0, 1), n <= kBlockSize, the same
// bits as the scalar function. A first pass evaluates the central formula
// for every element (vectorised); a second lists, without branches, the
// ~15% of elements in the tails (a branch there would mispredict at
// random); a third patches them with the near tail's formula, and the far
// tail's (one draw in 3.6e10) is computed only when a block needs it.
PLANSIM_SIMD_CLONES
void normal_quantiles(const double* u, double* z, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    z[i] = quantile_central(u[i] - 0.5);
  }
  std::array<std::uint32_t, kBlockSize> tails;
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    tails[count] = static_cast<std::uint32_t>(i);
    count += std::fabs(u[i] - 0.5) > kSplitCentral ? 1 : 0;
  }
  std::array<double, kBlockSize> tail_r_of;
  for (std::size_t j = 0; j < count; ++j) tail_r_of[j] = tail_r(u[tails[j]] - 0.5, u[tails[j]]);
  bool far = false;
  for (std::size_t j = 0; j < count; ++j) {
    const double q = u[tails[j]] - 0.5;
    z[tails[j]] = quantile_near_tail(q, tail_r_of[j]);
    far |= tail_r_of[j] > kSplitTail;
  }
  if (!far) return;
  for (std::size_t j = 0; j < count; ++j)
    if (tail_r_of[j] > kSplitTail) z[tails[j]] = quantile_far_tail(u[tails[j]] - 0.5, tail_r_of[j]);
}

// NaN where a Bernoulli probability is outside [0, 1]: parameters_valid,
// written so the loop vectorises (NaN fails both comparisons, infinities one).
PLANSIM_SIMD_CLONES
void bernoulli_validity(const double* prob, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = (prob[i] >= 0.0 && prob[i] <= 1.0) ? out[i] : kNaN;
}

// x[i] = exp(mu + sigma x[i]): the lognormal's last step, vectorised.
PLANSIM_SIMD_CLONES
void exp_of_affine(double* x, double mu, double sigma, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = vector_exp(mu + sigma * x[i]);
}

// ---------------------------------------------------------------------------
// Gamma variates (Marsaglia and Tsang, "A simple method for generating gamma
// variables", ACM TOMS 26 (2000)): for shape s >= 1, d = s - 1/3,
// c = 1/sqrt(9d); draw z ~ N(0,1), v = (1 + cz)^3 (retry if 1 + cz <= 0),
// U ~ U(0,1); accept d*v if U < 1 - 0.0331 z^4 (squeeze) or
// log U < z^2/2 + d(1 - v + log v). For s < 1, Gamma(s) = Gamma(s+1) U^(1/s).
// Every uniform comes from the element's ElementStream, z by inversion.

struct GammaShape {
  explicit GammaShape(double shape)
      : boosted(shape < 1.0),
        d((boosted ? shape + 1.0 : shape) - 1.0 / 3.0),
        c(1.0 / std::sqrt(9.0 * d)),
        inv_shape(boosted ? 1.0 / shape : 0.0) {}
  bool boosted;  // shape < 1: draw Gamma(shape + 1) and multiply by U^(1/shape)
  double d;
  double c;
  double inv_shape;
};

// A Gamma(max(shape, shape + 1)) variate: the Marsaglia-Tsang loop.
double marsaglia_tsang(const GammaShape& g, ElementStream& es) {
  for (;;) {
    const double z = normal_quantile(es.next());
    double v = 1.0 + g.c * z;
    if (v <= 0.0) {
      continue;
    }
    v = v * v * v;
    const double u = es.next();
    const double z2 = z * z;
    if (u < 1.0 - 0.0331 * z2 * z2) {
      return g.d * v;
    }
    if (std::log(u) < 0.5 * z2 + g.d * (1.0 - v + std::log(v))) {
      return g.d * v;
    }
  }
}

// log of a Gamma(shape) variate. Logs, because U^(1/shape) underflows to 0
// for small shapes (beta(0.01, 0.01) would otherwise often be 0/0).
double log_gamma_variate(const GammaShape& g, ElementStream& es) {
  double lx = std::log(marsaglia_tsang(g, es));
  if (g.boosted) {
    lx += std::log(es.next()) * g.inv_shape;
  }
  return lx;
}

// Beta(a, b) = X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b); in log space,
// 1 / (1 + exp(log Y - log X)), when a shape is below 1.
double beta_variate(const GammaShape& ga, const GammaShape& gb, ElementStream& es) {
  if (!ga.boosted && !gb.boosted) {
    const double x = marsaglia_tsang(ga, es);
    const double y = marsaglia_tsang(gb, es);
    return x / (x + y);
  }
  const double lx = log_gamma_variate(ga, es);
  const double ly = log_gamma_variate(gb, es);
  return 1.0 / (1.0 + std::exp(ly - lx));
}

// PERT(min, mode, max) = min + (max - min) * Beta(1 + 4 (mode - min) / (max - min),
//                                                 1 + 4 (max - mode) / (max - min)).
struct PertShape {
  PertShape(double lo_, double mode, double hi)
      : lo(lo_),
        width(hi - lo_),
        a(width > 0.0 ? 1.0 + 4.0 * (mode - lo_) / width : 1.0),
        b(width > 0.0 ? 1.0 + 4.0 * (hi - mode) / width : 1.0) {}
  double lo;
  double width;
  GammaShape a;
  GammaShape b;
};

double pert_variate(const PertShape& s, ElementStream& es) {
  if (!(s.width > 0.0)) {
    return s.lo;  // min == max: the constant (the rules reject it; stay exact anyway)
  }
  return s.lo + s.width * beta_variate(s.a, s.b, es);
}

// ---------------------------------------------------------------------------
// Poisson.

// log(k!) for k >= 0 (k a whole number held as double): exact factorials
// below 21 (all representable), else Stirling's series for log Gamma(k + 1)
// to the x^-9 term, whose truncation error at x = 21 is below 1e-17.
constexpr std::size_t kExactFactorials = 21;
constexpr std::array<double, kExactFactorials> kFactorials = [] {
  std::array<double, kExactFactorials> f{};
  f[0] = 1.0;
  for (std::size_t k = 1; k < kExactFactorials; ++k) {
    f[k] = f[k - 1] * static_cast<double>(k);
  }
  return f;
}();

double log_factorial(double k) {
  if (k < static_cast<double>(kExactFactorials)) {
    return std::log(kFactorials[static_cast<std::size_t>(k)]);
  }
  constexpr double kHalfLog2Pi = 0.91893853320467274178;
  const double x = k + 1.0;
  const double r = 1.0 / x;
  const double r2 = r * r;
  const double series =
      r *
      (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0 - r2 / 1188.0))));
  return (x - 0.5) * std::log(x) - x + kHalfLog2Pi + series;
}

// Inversion for lambda < 10: the smallest k with u <= F(k), F accumulated as
// p_0 = exp(-lambda), p_k = p_{k-1} * lambda / k. When F stops growing in
// floating point (p_k below half an ulp of F) the search ends at that k, so
// a u above the rounded total mass still gets a finite answer.
double poisson_inversion(double lambda, double u) {
  double p = std::exp(-lambda);
  double f = p;
  double k = 0.0;
  while (u > f) {
    k += 1.0;
    p = p * lambda / k;
    const double next = f + p;
    if (next == f) {
      break;
    }
    f = next;
  }
  return k;
}

// The same search over a table built once for a scalar lambda: entry k is
// F(k) for k < finite_, +inf after, where F stopped growing, so both give
// identical results. Size: for lambda < 10, p_k < 2^-54 by k = 50.
class PoissonTable {
 public:
  explicit PoissonTable(double lambda) {
    cdf_.fill(kInf);
    double p = std::exp(-lambda);
    double f = p;
    cdf_[0] = f;
    finite_ = 1;
    while (finite_ < kSize - 1) {
      p = p * lambda / static_cast<double>(finite_);
      const double next = f + p;
      if (next == f) {
        break;
      }
      f = next;
      cdf_[finite_++] = f;
    }
  }

  // out[i] = the smallest k with u[i] <= F(k), i.e. the number of entries
  // below u[i]. Short tables (lambda up to about 2) are scanned from 0,
  // which ends after lambda + 1 steps on average; longer ones by a
  // branch-free binary search over the 64 entries (6 steps, no
  // mispredictions), measured faster from lambda = 3 on.
  void apply(const double* u, double* out, std::size_t n) const {
    if (finite_ <= kLinearLimit) {
      for (std::size_t i = 0; i < n; ++i) {
        std::size_t k = 0;
        while (u[i] > cdf_[k]) {
          ++k;
        }
        out[i] = static_cast<double>(k);
      }
      return;
    }
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t k = 0;
      for (std::size_t half = kSize / 2; half > 0; half /= 2) {
        // Arithmetic, not ?:, which GCC turns back into a branch.
        k += half * static_cast<std::size_t>(cdf_[k + half - 1] < u[i]);
      }
      out[i] = static_cast<double>(k);
    }
  }

 private:
  static constexpr std::size_t kSize = 64;  // a power of two for the binary search
  static constexpr std::size_t kLinearLimit = 24;
  std::array<double, kSize> cdf_;
  std::size_t finite_;  // entries of cdf_ below +inf
};

// PTRS, Hormann, "The transformed rejection method for generating Poisson
// random variables", Insurance: Mathematics and Economics 12 (1993):
//   b = 0.931 + 2.53 sqrt(lambda), a = -0.059 + 0.02483 b,
//   1/alpha = 1.1239 + 1.1328 / (b - 3.4), v_r = 0.9277 - 3.6224 / (b - 2);
//   repeat: U = u1 - 0.5, V = u2, us = 0.5 - |U|,
//     k = floor((2a / us + b) U + lambda + 0.43);
//     accept if us >= 0.07 and V <= v_r;
//     reject if k < 0 or (us < 0.013 and V > us);
//     accept if log(V / alpha / (a / us^2 + b)) <= -lambda + k log(lambda) - log(k!).
struct PtrsShape {
  explicit PtrsShape(double lam)
      : lambda(lam),
        log_lambda(std::log(lam)),
        b(0.931 + 2.53 * std::sqrt(lam)),
        a(-0.059 + 0.02483 * b),
        log_inv_alpha(std::log(1.1239 + 1.1328 / (b - 3.4))),
        v_r(0.9277 - 3.6224 / (b - 2.0)) {}
  double lambda;
  double log_lambda;
  double b;
  double a;
  double log_inv_alpha;
  double v_r;
};

double ptrs_variate(const PtrsShape& s, ElementStream& es) {
  if (std::isinf(s.lambda)) {
    return s.lambda;  // the limit; the loop below would compute inf - inf
  }
  for (;;) {
    const double u = es.next() - 0.5;
    const double v = es.next();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * s.a / us + s.b) * u + s.lambda + 0.43);
    if (us >= 0.07 && v <= s.v_r) {
      return k;
    }
    if (k < 0.0 || (us < 0.013 && v > us)) {
      continue;
    }
    if (std::log(v) + s.log_inv_alpha - std::log(s.a / (us * us) + s.b) <=
        -s.lambda + k * s.log_lambda - log_factorial(k)) {
      return k;
    }
  }
}

// ---------------------------------------------------------------------------
// Element formulas shared by the scalar and the array paths, so both give
// identical bits for equal parameters.

// Triangular inverse CDF: with w = max - min, F(mode) = (mode - min) / w;
//   u < F(mode): min + sqrt(u w (mode - min)), else max - sqrt((1 - u) w (max - mode)).
struct TriangularShape {
  TriangularShape(double lo_, double mode, double hi_)
      : lo(lo_),
        hi(hi_),
        width(hi_ - lo_),
        f_mode((mode - lo_) / width),
        lower_area(width * (mode - lo_)),
        upper_area(width * (hi_ - mode)) {}
  double lo, hi, width, f_mode, lower_area, upper_area;
  // One sqrt of a selected argument rather than a choice between two
  // results: selects of plain values let GCC vectorise the loop. The bits
  // are those of lo + sqrt(...) and hi - sqrt(...) (x + (-1) y == x - y).
  double operator()(double u) const {
    const bool lower = u < f_mode;
    const double area = lower ? u * lower_area : (1.0 - u) * upper_area;
    const double base = lower ? lo : hi;
    const double sign = lower ? 1.0 : -1.0;
    return base + sign * std::sqrt(area);
  }
};

inline double uniform_at(double lo, double hi, double u) { return lo + (hi - lo) * u; }

// Runs f(p, i) for every element, p being that element's parameters, or
// writes NaN where they break the rules. The general (array) path.
template <class F>
void for_each_element(Distribution d, std::span<const Param> params, std::size_t n, double* out,
                      F&& f) {
  std::array<double, kMaxArity> p{};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < params.size(); ++j) {
      p[j] = params[j][i];
    }
    out[i] = rules::parameters_valid(d, p.data()) ? f(p, i) : kNaN;
  }
}

// Every element of the block: element i is uniform i, sample block * kBlockSize + i.
struct DenseElements {
  std::size_t n = 0;
  void uniforms(const BlockDraw& where, double* dst) const {
    if (where.uniforms)
      std::copy(where.uniforms, where.uniforms + n, dst);
    else
      UniformStream(where.seed, where.key, where.block).fill(dst, n);
  }
  std::uint64_t sample(const BlockDraw& where, std::size_t i) const { return where.block * kBlockSize + i; }
};

// Some elements of the block: the k-th is element index[k], with that
// element's uniform and sample index.
struct SelectedElements {
  std::size_t n = 0;
  std::array<std::uint32_t, kBlockSize> index;
  void uniforms(const BlockDraw& where, double* dst) const {
    std::array<double, kBlockSize> all;
    const std::size_t last = index[n - 1] + 1;
    UniformStream(where.seed, where.key, where.block).fill(all.data(), last);
    for (std::size_t k = 0; k < n; ++k) dst[k] = all[index[k]];
  }
  std::uint64_t sample(const BlockDraw& where, std::size_t k) const { return where.block * kBlockSize + index[k]; }
};

}  // namespace

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -kInf;
    if (p == 1.0) return kInf;
    return kNaN;
  }
  const double q = p - 0.5;
  if (std::fabs(q) <= kSplitCentral) {
    return quantile_central(q);
  }
  return quantile_tail(q, p);
}

// Phi(x) = erfc(-x / sqrt(2)) / 2: erfc keeps full relative accuracy in the
// lower tail, where 1 + erf(x / sqrt(2)) would cancel.
double normal_cdf(double x) { return 0.5 * std::erfc(-x * 0.70710678118654752440); }

namespace {

// Whether the sampler of d turns uniform i into element i (by inversion),
// rather than drawing by rejection from the element's own stream.
bool inverts_uniform_i(Distribution d, std::span<const Param> params) {
  switch (d) {
    case Distribution::kBeta:
    case Distribution::kPert: return false;
    case Distribution::kPoisson: return params[0].stride == 0 && params[0][0] < kPoissonInversionLimit;
    default: return true;
  }
}

// Draws src.n values: every element of a block (DenseElements), or the
// elements a mask selects (SelectedElements), each from its own place in the
// block's streams, so a selected element gets the value it would get in a
// full draw.
template <class Elements>
void draw_elements(Distribution d, std::span<const Param> params, const BlockDraw& where, const Elements& src,
                   double* out, double* scratch) {
  const std::size_t n = src.n;
  assert(n <= kBlockSize);
  assert(params.size() <= kMaxArity &&
         static_cast<int>(params.size()) == rules::distribution_arity(d));

  if (where.uniforms && !inverts_uniform_i(d, params)) {
    // Given uniforms for a distribution otherwise drawn by rejection.
    assert((std::is_same_v<Elements, DenseElements>));
    std::array<double, kMaxArity> p{};
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < params.size(); ++j) p[j] = params[j][i];
      out[i] = quantile(d, std::span<const double>(p.data(), params.size()), where.uniforms[i]);
    }
    return;
  }

  // Scalar fast path: validate once, then loops with hoisted constants.
  const bool scalar =
      std::all_of(params.begin(), params.end(), [](const Param& p) { return p.stride == 0; });
  std::array<double, kMaxArity> s{};
  if (scalar) {
    for (std::size_t j = 0; j < params.size(); ++j) {
      s[j] = params[j][0];
    }
    if (!rules::parameters_valid(d, s.data())) {
      std::fill(out, out + n, kNaN);
      return;
    }
  }
  auto uniforms = [&](double* dst) { src.uniforms(where, dst); };

  switch (d) {
    case Distribution::kNormal: {
      uniforms(scratch);
      normal_quantiles(scratch, out, n);  // out = z
      if (scalar) {
        const double mean = s[0];
        const double sd = s[1];
        for (std::size_t i = 0; i < n; ++i) out[i] = mean + sd * out[i];
      } else {
        for_each_element(d, params, n, out,
                         [&](const auto& p, std::size_t i) { return p[0] + p[1] * out[i]; });
      }
      return;
    }
    case Distribution::kLognormal: {
      uniforms(scratch);
      normal_quantiles(scratch, out, n);
      if (scalar) {
        const double mu = s[0];
        const double sigma = s[1];
        exp_of_affine(out, mu, sigma, n);
      } else {
        for_each_element(d, params, n, out, [&](const auto& p, std::size_t i) {
          return vector_exp(p[0] + p[1] * out[i]);
        });
      }
      return;
    }
    case Distribution::kUniform: {
      uniforms(scratch);
      if (scalar) {
        const double lo = s[0];
        const double hi = s[1];
        for (std::size_t i = 0; i < n; ++i) out[i] = uniform_at(lo, hi, scratch[i]);
      } else {
        for_each_element(d, params, n, out, [&](const auto& p, std::size_t i) {
          return uniform_at(p[0], p[1], scratch[i]);
        });
      }
      return;
    }
    case Distribution::kTriangular: {
      uniforms(scratch);
      if (scalar) {
        if (!(s[2] > s[0])) {
          std::fill(out, out + n, s[0]);  // min == max: the constant
          return;
        }
        const TriangularShape tri(s[0], s[1], s[2]);
        for (std::size_t i = 0; i < n; ++i) out[i] = tri(scratch[i]);
      } else {
        for_each_element(d, params, n, out, [&](const auto& p, std::size_t i) {
          return p[2] > p[0] ? TriangularShape(p[0], p[1], p[2])(scratch[i]) : p[0];
        });
      }
      return;
    }
    case Distribution::kBernoulli: {
      if (std::is_same_v<Elements, DenseElements> && !where.uniforms) {
        // Straight from the stream's bits: the same draws as the loops below.
        UniformStream stream(where.seed, where.key, where.block);
        if (scalar) {
          stream.fill_bernoulli(out, n, s[0]);
          return;
        }
        stream.fill_bernoulli(out, n, params[0].data);  // NaN where a probability is outside [0, 1]
        return;
      }
      uniforms(scratch);
      if (scalar) {
        const double prob = s[0];
        for (std::size_t i = 0; i < n; ++i) out[i] = scratch[i] < prob ? 1.0 : 0.0;
      } else {
        const Param prob = params[0];
        for (std::size_t i = 0; i < n; ++i) out[i] = scratch[i] < prob[i] ? 1.0 : 0.0;
        bernoulli_validity(prob.data, out, n);
      }
      return;
    }
    case Distribution::kPoisson: {
      if (scalar && s[0] < kPoissonInversionLimit) {
        uniforms(scratch);
        PoissonTable(s[0]).apply(scratch, out, n);
      } else if (scalar) {
        const PtrsShape shape(s[0]);
        for (std::size_t i = 0; i < n; ++i) {
          ElementStream es(where.seed, where.key, src.sample(where, i));
          out[i] = ptrs_variate(shape, es);
        }
      } else {
        uniforms(scratch);
        for_each_element(d, params, n, out, [&](const auto& p, std::size_t i) {
          if (p[0] < kPoissonInversionLimit) {
            return poisson_inversion(p[0], scratch[i]);
          }
          ElementStream es(where.seed, where.key, src.sample(where, i));
          return ptrs_variate(PtrsShape(p[0]), es);
        });
      }
      return;
    }
    case Distribution::kBeta: {
      if (scalar) {
        const GammaShape ga(s[0]);
        const GammaShape gb(s[1]);
        for (std::size_t i = 0; i < n; ++i) {
          ElementStream es(where.seed, where.key, src.sample(where, i));
          out[i] = beta_variate(ga, gb, es);
        }
      } else {
        for_each_element(d, params, n, out, [&](const auto& p, std::size_t i) {
          ElementStream es(where.seed, where.key, src.sample(where, i));
          return beta_variate(GammaShape(p[0]), GammaShape(p[1]), es);
        });
      }
      return;
    }
    case Distribution::kPert: {
      if (scalar) {
        const PertShape shape(s[0], s[1], s[2]);
        for (std::size_t i = 0; i < n; ++i) {
          ElementStream es(where.seed, where.key, src.sample(where, i));
          out[i] = pert_variate(shape, es);
        }
      } else {
        for_each_element(d, params, n, out, [&](const auto& p, std::size_t i) {
          ElementStream es(where.seed, where.key, src.sample(where, i));
          return pert_variate(PertShape(p[0], p[1], p[2]), es);
        });
      }
      return;
    }
  }
  std::fill(out, out + n, kNaN);  // not reached: the switch covers every distribution
}

}  // namespace

void sample_block(Distribution d, std::span<const Param> params, const BlockDraw& where, double* out,
                  double* scratch, const double* mask) {
  const std::size_t n = where.n;
  if (!mask) {
    draw_elements(d, params, where, DenseElements{n}, out, scratch);
    return;
  }
  SelectedElements selected;
  for (std::size_t i = 0; i < n; ++i) {
    selected.index[selected.n] = static_cast<std::uint32_t>(i);
    selected.n += mask[i] != 0.0 ? 1 : 0;
  }
  if (selected.n == n) {
    draw_elements(d, params, where, DenseElements{n}, out, scratch);
    return;
  }
  std::fill(out, out + n, 0.0);
  if (selected.n == 0) return;
  // The selected elements' parameters, side by side.
  std::array<std::array<double, kBlockSize>, kMaxArity> gathered;
  std::array<Param, kMaxArity> packed{};
  for (std::size_t j = 0; j < params.size(); ++j) {
    if (params[j].stride == 0) {
      packed[j] = params[j];
      continue;
    }
    for (std::size_t k = 0; k < selected.n; ++k) gathered[j][k] = params[j][selected.index[k]];
    packed[j] = Param{gathered[j].data(), 1};
  }
  std::array<double, kBlockSize> values;
  draw_elements(d, std::span<const Param>(packed.data(), params.size()), where, selected, values.data(), scratch);
  for (std::size_t k = 0; k < selected.n; ++k) out[selected.index[k]] = values[k];
}

namespace {

// Special functions report trouble as NaN (errno), never by throwing.
using QuietPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
    boost::math::policies::pole_error<boost::math::policies::errno_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>>;

double step_at(double c, double x) { return x >= c ? 1.0 : 0.0; }

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

}  // namespace

double quantile(Distribution d, std::span<const double> params, double u) {
  assert(static_cast<int>(params.size()) == rules::distribution_arity(d));
  if (!(u > 0.0 && u < 1.0) || !rules::parameters_valid(d, params.data())) return kNaN;
  const auto& p = params;
  switch (d) {
    case Distribution::kNormal: return p[0] + p[1] * normal_quantile(u);
    case Distribution::kLognormal: return std::exp(p[0] + p[1] * normal_quantile(u));
    case Distribution::kUniform: return uniform_at(p[0], p[1], u);
    case Distribution::kTriangular: return p[2] > p[0] ? TriangularShape(p[0], p[1], p[2])(u) : p[0];
    case Distribution::kBernoulli: return u < p[0] ? 1.0 : 0.0;
    case Distribution::kPoisson: {
      if (p[0] < kPoissonInversionLimit) return poisson_inversion(p[0], u);
      if (std::isinf(p[0])) return p[0];
      // The smallest k with P(X <= k) >= u, searched from the normal
      // approximation: P(X <= k) = Q(k + 1, lambda).
      auto below = [&](double k) { return boost::math::gamma_q(k + 1.0, p[0], QuietPolicy()) < u; };
      double k = std::max(0.0, std::floor(p[0] + std::sqrt(p[0]) * normal_quantile(u)));
      while (k > 0.0 && !below(k - 1.0)) k -= 1.0;
      while (below(k)) k += 1.0;
      return k;
    }
    case Distribution::kBeta: return boost::math::ibeta_inv(p[0], p[1], u, QuietPolicy());
    case Distribution::kPert: {
      const double lo = p[0], mode = p[1], hi = p[2], w = hi - lo;
      if (!(w > 0.0)) return lo;
      return lo + w * boost::math::ibeta_inv(1.0 + 4.0 * (mode - lo) / w, 1.0 + 4.0 * (hi - mode) / w, u,
                                             QuietPolicy());
    }
  }
  return kNaN;
}

double cdf(Distribution d, std::span<const double> params, double x) {
  assert(static_cast<int>(params.size()) == rules::distribution_arity(d));
  if (std::isnan(x) || !rules::parameters_valid(d, params.data())) {
    return kNaN;
  }
  const auto& p = params;
  switch (d) {
    case Distribution::kNormal:
      if (p[1] == 0.0) return step_at(p[0], x);
      return normal_cdf((x - p[0]) / p[1]);
    case Distribution::kLognormal:
      if (x <= 0.0) return 0.0;
      if (p[1] == 0.0) return step_at(std::exp(p[0]), x);
      return normal_cdf((std::log(x) - p[0]) / p[1]);
    case Distribution::kUniform:
      if (x < p[0]) return 0.0;
      if (x >= p[1]) return 1.0;
      return clamp01((x - p[0]) / (p[1] - p[0]));
    case Distribution::kTriangular: {
      // F(x) = (x - min)^2 / (w (mode - min)) up to the mode, else
      // 1 - (max - x)^2 / (w (max - mode)), w = max - min.
      const double lo = p[0], mode = p[1], hi = p[2];
      if (x < lo) return 0.0;
      if (x >= hi) return 1.0;
      const double w = hi - lo;
      // x < mode implies mode > lo, and x >= mode implies hi > mode: no 0/0.
      if (x < mode) return clamp01((x - lo) * (x - lo) / (w * (mode - lo)));
      return clamp01(1.0 - (hi - x) * (hi - x) / (w * (hi - mode)));
    }
    case Distribution::kPert: {
      const double lo = p[0], mode = p[1], hi = p[2];
      if (x < lo) return 0.0;
      if (x >= hi) return 1.0;
      const double w = hi - lo;
      const double a = 1.0 + 4.0 * (mode - lo) / w;
      const double b = 1.0 + 4.0 * (hi - mode) / w;
      return boost::math::ibeta(a, b, clamp01((x - lo) / w), QuietPolicy());
    }
    case Distribution::kBeta:
      if (x <= 0.0) return 0.0;
      if (x >= 1.0) return 1.0;
      return boost::math::ibeta(p[0], p[1], x, QuietPolicy());
    case Distribution::kBernoulli:
      if (x < 0.0) return 0.0;
      if (x < 1.0) return 1.0 - p[0];
      return 1.0;
    case Distribution::kPoisson: {
      // P(X <= k) = Q(k + 1, lambda), the regularised upper incomplete gamma.
      if (x < 0.0) return 0.0;
      if (std::isinf(x)) return 1.0;
      if (p[0] == 0.0) return 1.0;
      if (std::isinf(p[0])) return 0.0;
      return boost::math::gamma_q(std::floor(x) + 1.0, p[0], QuietPolicy());
    }
  }
  return kNaN;
}

}  // namespace plansim::sim
