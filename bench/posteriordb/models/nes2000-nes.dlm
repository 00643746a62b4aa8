# Party identification on ideology, race, age group, education, gender and income
# (Gelman & Hill, ch. 4; 2000 National Election Study). posteriordb: nes2000-nes.
# No priors (flat beta, flat positive sigma). Age is a factor with four levels; levels 2-4
# get indicator columns.
model nes(N, partyid7, real_ideo, race_adj, educ1, gender, income, age_discrete) {
  beta ~ Flat(size = 9)
  sigma ~ FlatPos()
  age30_44 = ifelse(age_discrete == 2, 1, 0)
  age45_64 = ifelse(age_discrete == 3, 1, 0)
  age65up = ifelse(age_discrete == 4, 1, 0)
  partyid7 ~ Normal(beta[1] + beta[2] * real_ideo + beta[3] * race_adj + beta[4] * age30_44 + beta[5] * age45_64 +
                    beta[6] * age65up + beta[7] * educ1 + beta[8] * gender + beta[9] * income, sigma)
}
