; strokebot 0.1.0, profile grbl-servo (bundled): GRBL 1.1 plotter, pen servo on
; the spindle PWM: M3 S<down> / M3 S<up>
; page 20 x 20 mm, Y up: flipped against the page height, pen width 0.97 mm
; 1 strokes, 13 points (simplified from 15, tolerance 0.485 mm)
; pen-down length 18.2 mm, pen-up travel 0.0 mm
; estimated plot time 1.8 s, the whole program from X0 Y0 Z0 (feed 2000 mm/min,
; G0 at the max rates); it assumes GRBL $110=4000 $111=4000 mm/min, $120=500
; $121=500 mm/s^2 (see yours with $$): a machine set slower plots slower
; Needs $32=0 (laser mode off) so that M3 S<value> moves the servo.
G21
G90
G94
M3 S30
G4 P0.15
G0 X5.732 Y13.350
M3 S90
G4 P0.15
G1 X6.338 Y13.350 F2000
G1 X7.636 Y13.184
G1 X8.675 Y12.835
G1 X12.307 Y12.834
G1 X13.553 Y12.679
G1 X13.420 Y12.345
G1 X13.191 Y11.273
G1 X12.840 Y10.493
G1 X11.867 Y8.675
G1 X9.716 Y5.299
G1 X9.256 Y4.260
G1 X9.140 Y3.508
M3 S30
G4 P0.15
G0 X0 Y0
M5
M2
