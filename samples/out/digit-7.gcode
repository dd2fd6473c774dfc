; strokebot 0.1.0, profile grbl-servo (bundled): GRBL 1.1 plotter, pen servo on
; the spindle PWM: M3 S<down> / M3 S<up>
; page 20 x 20 mm, Y up: flipped against the page height, pen width 0.969 mm
; 1 strokes, 11 points (simplified from 15, tolerance 0.484 mm)
; pen-down length 18.1 mm, pen-up travel 0.0 mm
; estimated plot time 1.8 s, the whole program from X0 Y0 Z0 (feed 2000 mm/min,
; G0 at the max rates); it assumes GRBL $110=4000 $111=4000 mm/min, $120=500
; $121=500 mm/s^2 (see yours with $$): a machine set slower plots slower
; Needs $32=0 (laser mode off) so that M3 S<value> moves the servo.
G21
G90
G94
M3 S30
G4 P0.15
G0 X5.732 Y13.198
M3 S90
G4 P0.15
G1 X6.339 Y13.309 F2000
G1 X12.298 Y12.841
G1 X13.553 Y12.679
G1 X13.179 Y11.280
G1 X12.802 Y10.512
G1 X11.417 Y7.880
G1 X10.118 Y6.022
G1 X9.689 Y5.309
G1 X9.294 Y4.250
G1 X9.025 Y3.522
M3 S30
G4 P0.15
G0 X0 Y0
M5
M2
