"""Money: transfers between parties, flows by corridor and month, patterns each with its reasons
(brokers and their settlements, collectors, distributors, cycles, layering, fee levels, businesses),
and the fees observed per money network. Pure analyses over transfers handed to them (docs/money.md)."""
