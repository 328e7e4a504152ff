module i18ngen

go 1.22
