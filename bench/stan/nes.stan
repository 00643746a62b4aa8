// Party identification on ideology, race, age group, education, gender and income (written for
// dlm's benchmark from the model's math): flat priors; age levels 2-4 as indicator columns.
data {
  int<lower=0> N;
  vector[N] partyid7;
  vector[N] real_ideo;
  vector[N] race_adj;
  vector[N] educ1;
  vector[N] gender;
  vector[N] income;
  int age_discrete[N];
}
transformed data {
  vector[N] a2;
  vector[N] a3;
  vector[N] a4;
  for (i in 1:N) {
    a2[i] = age_discrete[i] == 2 ? 1 : 0;
    a3[i] = age_discrete[i] == 3 ? 1 : 0;
    a4[i] = age_discrete[i] == 4 ? 1 : 0;
  }
}
parameters {
  vector[9] beta;
  real<lower=0> sigma;
}
model {
  partyid7 ~ normal(beta[1] + beta[2] * real_ideo + beta[3] * race_adj + beta[4] * a2 + beta[5] * a3
                    + beta[6] * a4 + beta[7] * educ1 + beta[8] * gender + beta[9] * income, sigma);
}
